package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The database side of a recovery: what the config says, the damaged database, the swap. */
@ActivityInterface
public interface RecoveryActivities {

  /**
   * What a recovery of a service needs to know, without secrets.
   *
   * @param server {@code host:port} of the production server, which the backup is restored onto
   * @param kubernetes whether the service's writers are configured as Kubernetes Deployments
   * @param healthUrl the service's health endpoint, or null when none is configured
   * @param warnings configuration gaps that do not stop a recovery (no notification channel, ...)
   */
  record RecoveryPlan(
      String service,
      String database,
      String server,
      boolean kubernetes,
      String namespace,
      List<String> deployments,
      String healthUrl,
      long healthDeadlineSeconds,
      long approvalReminderSeconds,
      boolean webhook,
      List<String> warnings) {}

  /**
   * The production database as found before anything is changed.
   *
   * @param lastWriteAt ISO-8601 time of the last committed transaction, when the server tracks
   *     commit timestamps
   * @param problem why the server or database did not answer, if it did not
   */
  record Assessment(
      boolean serverReachable,
      boolean databaseExists,
      boolean databaseReachable,
      Long sizeBytes,
      String lastWriteAt,
      String problem) {}

  /**
   * The three names of a swap. {@code marker} identifies the restored database as this run's
   * (it is written as the database's comment), so a retried or reversed swap can tell which
   * database is which whatever name it holds.
   */
  record SwapRequest(
      String service, String production, String restored, String preRecovery, String marker) {}

  /**
   * @param state SWAPPED, ALREADY_SWAPPED, SWAPPED_BACK or NOTHING_TO_UNDO
   * @param actions what was renamed, in order; empty when nothing had to be done
   */
  record SwapResult(String state, List<String> actions) {}

  /**
   * Checks the service can be recovered as configured, before anything is touched. Non-retryable
   * {@code InvalidConfig} or {@code MissingCredentials} otherwise.
   */
  @ActivityMethod(name = "PrepareRecovery")
  RecoveryPlan prepare(String service);

  /** Whether the production server and database answer, and the database's size and last write. */
  @ActivityMethod(name = "AssessDatabase")
  Assessment assess(String service);

  /**
   * Ends the sessions in the production database, renames it to {@code preRecovery} and the
   * restored one to the production name. Checks before each step, so a retry after a crash
   * finishes the swap instead of repeating it. Non-retryable {@code UnexpectedDatabaseState} when
   * the names are in a state no interrupted swap leaves.
   */
  @ActivityMethod(name = "SwapDatabases")
  SwapResult swap(SwapRequest request);

  /**
   * Undoes {@link #swap} as far as it went: the restored database goes back to its own name and
   * the damaged one to the production name. Idempotent.
   */
  @ActivityMethod(name = "SwapBackDatabases")
  SwapResult swapBack(SwapRequest request);
}
