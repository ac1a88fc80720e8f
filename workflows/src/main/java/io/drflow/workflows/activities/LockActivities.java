package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Who holds a service's lock, so a refused run can name the run to follow instead. */
@ActivityInterface
public interface LockActivities {

  /**
   * @param workflowId the run holding the lock
   * @param runbook "recovery", "failover", or the holder's workflow type when it is neither
   */
  record LockHolder(String workflowId, String runbook) {}

  /** The run holding the lock workflow {@code lockId}; null when the lock is not running. */
  @ActivityMethod(name = "DescribeLockHolder")
  LockHolder holder(String lockId);
}
