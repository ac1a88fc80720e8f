package io.drflow.workflows;

import io.drflow.workflows.backup.BackupWorkflowImpl;
import io.drflow.workflows.catalog.ListBackupsWorkflowImpl;
import io.drflow.workflows.catalog.RunHistoryWorkflowImpl;
import io.drflow.workflows.drill.RestoreDrillWorkflowImpl;
import io.drflow.workflows.failover.FailoverWorkflowImpl;
import io.drflow.workflows.recovery.RecoveryWorkflowImpl;
import io.drflow.workflows.runbook.ServiceLockWorkflowImpl;

/** Every workflow implementation a drflow worker registers. */
public final class Workflows {

  public static final Class<?>[] IMPLEMENTATIONS = {
    BackupWorkflowImpl.class,
    RestoreDrillWorkflowImpl.class,
    ListBackupsWorkflowImpl.class,
    RunHistoryWorkflowImpl.class,
    RecoveryWorkflowImpl.class,
    ServiceLockWorkflowImpl.class,
    FailoverWorkflowImpl.class
  };

  private Workflows() {}
}
