package io.drflow.workflows.runbook;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Functions;

/**
 * Failure types drflow's activities raise, and how they read in reports. Types listed here are
 * non-retryable: retrying cannot fix a missing service or a corrupt backup.
 */
public final class Failures {

  public static final String INVALID_INPUT = "InvalidInput";
  public static final String UNKNOWN_SERVICE = "UnknownService";
  public static final String INVALID_CONFIG = "InvalidConfig";
  public static final String MISSING_CREDENTIALS = "MissingCredentials";
  public static final String SERVER_UNREACHABLE = "ServerUnreachable";
  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  public static final String CHECKSUM_MISMATCH = "ChecksumMismatch";
  public static final String DATABASE_EXISTS = "DatabaseExists";
  public static final String RESTORE_FAILED = "RestoreFailed";
  public static final String WORK_FILES_MISSING = "WorkFilesMissing";
  public static final String DRILL_FAILED = "DrillFailed";
  public static final String BACKUP_FAILED = "BackupFailed";
  public static final String RECOVERY_FAILED = "RecoveryFailed";
  public static final String RECOVERY_ABORTED = "RecoveryAborted";
  public static final String RECOVERY_IN_PROGRESS = "RecoveryInProgress";
  /** A failover or failback refused because another runbook holds the service's lock. */
  public static final String SERVICE_LOCKED = "ServiceLocked";
  public static final String VALIDATION_FAILED = "ValidationFailed";
  public static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
  public static final String UNEXPECTED_DATABASE_STATE = "UnexpectedDatabaseState";
  public static final String APPROVAL_REJECTED = "ApprovalRejected";
  public static final String READINESS_FAILED = "ReadinessFailed";
  public static final String FAILOVER_FAILED = "FailoverFailed";
  public static final String FAILOVER_ABORTED = "FailoverAborted";
  /** The worker lacks the key an encrypted backup needs, or cannot read its configured key. */
  public static final String ENCRYPTION_KEY = "EncryptionKey";

  /** Types that must never be retried, for activity retry options. */
  public static final String[] NON_RETRYABLE = {
    INVALID_INPUT,
    UNKNOWN_SERVICE,
    INVALID_CONFIG,
    MISSING_CREDENTIALS,
    SERVER_UNREACHABLE,
    BACKUP_NOT_FOUND,
    CHECKSUM_MISMATCH,
    DATABASE_EXISTS,
    WORK_FILES_MISSING,
    HEALTH_CHECK_FAILED,
    UNEXPECTED_DATABASE_STATE,
    ENCRYPTION_KEY
  };

  private Failures() {}

  public static ApplicationFailure invalidInput(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, INVALID_INPUT);
  }

  /** What drflow.yaml allows as a service name (it appears in object keys and database names). */
  public static final java.util.regex.Pattern SERVICE_NAME =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  /**
   * Every runbook input names a service; the Temporal UI lets people submit anything, and a name
   * no config can hold is refused as such rather than looked up.
   */
  public static void requireService(String service) {
    if (service == null || service.isBlank()) {
      throw invalidInput("input needs a service name, e.g. {\"service\":\"shop\"}");
    }
    if (!SERVICE_NAME.matcher(service).matches()) {
      throw invalidInput(
          "'" + abbreviate(service) + "' is not a service name: 1-40 characters of a-z, 0-9, '-'"
              + " and '_'");
    }
  }

  /** At most 60 characters of {@code s}, saying how long it was when cut. */
  public static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 40) + "…(" + s.length() + " characters)";
  }

  /**
   * Runs a step whose failure ends the run before anything was changed (planning), and fails the
   * run with the activity's own ApplicationFailure type and message at the top, so the Temporal UI
   * shows "UnknownService: unknown service 'x'" rather than "Activity task failed".
   */
  public static <T> T asRunFailure(Functions.Func<T> step) {
    try {
      return step.apply();
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof ApplicationFailure af) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(
            af.getOriginalMessage(), af.getType(), e);
      }
      throw e;
    }
  }

  /** The innermost meaningful message of a failure, for phase notes and reports. */
  public static String describe(Throwable e) {
    Throwable t = e;
    while (t instanceof ActivityFailure && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getType() + ": " + af.getOriginalMessage();
    }
    if (t instanceof TimeoutFailure tf) {
      return "timed out (" + tf.getTimeoutType() + ")";
    }
    if (t instanceof CanceledFailure) {
      return "cancelled";
    }
    if (t instanceof TemporalFailure tf) {
      return tf.getOriginalMessage();
    }
    return String.valueOf(t.getMessage());
  }

  /**
   * True when the failure means the host-local work cannot go on there: no worker took the task
   * from the host's queue, or the host lost the downloaded files.
   */
  public static boolean hostGone(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof ApplicationFailure af && WORK_FILES_MISSING.equals(af.getType())) {
        return true;
      }
      if (t instanceof TimeoutFailure tf
          && tf.getTimeoutType() == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }
}
