package io.drflow.activities.runbook;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.postgres.PgException;
import io.drflow.activities.storage.BackupMissingException;
import io.drflow.activities.storage.ChecksumMismatchException;
import io.drflow.activities.storage.EncryptionKeyException;
import io.drflow.activities.storage.InvalidManifestException;
import io.drflow.workflows.runbook.Failures;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.Callable;

/**
 * Translates adapter exceptions into Temporal failures: non-retryable for what a retry cannot fix
 * (a corrupt backup, a wrong password, a missing server), retryable for the rest.
 */
public final class ActivityErrors {

  private ActivityErrors() {}

  public static <T> T translate(Callable<T> body) {
    try {
      return body.call();
    } catch (ApplicationFailure | ActivityCompletionException e) {
      throw e;
    } catch (ChecksumMismatchException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.CHECKSUM_MISMATCH);
    } catch (BackupMissingException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.BACKUP_NOT_FOUND);
    } catch (InvalidManifestException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.CHECKSUM_MISMATCH);
    } catch (EncryptionKeyException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.ENCRYPTION_KEY);
    } catch (Secrets.MissingSecretException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), Failures.MISSING_CREDENTIALS);
    } catch (PgException e) {
      throw pg(e);
    } catch (io.drflow.activities.postgres.PgRecovery.UnexpectedStateException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), Failures.UNEXPECTED_DATABASE_STATE);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_INPUT);
    } catch (Exception e) {
      throw Activity.wrap(e);
    }
  }

  public static void run(ThrowingRunnable body) {
    translate(
        () -> {
          body.run();
          return null;
        });
  }

  /** A body that may throw checked exceptions (I/O, interruption). */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  public static RuntimeException pg(PgException e) {
    String type =
        switch (e.kind()) {
          case UNREACHABLE -> Failures.SERVER_UNREACHABLE;
          case AUTH_FAILED, PERMISSION_DENIED -> Failures.MISSING_CREDENTIALS;
          case BAD_INPUT, TOOL_UNAVAILABLE -> Failures.INVALID_CONFIG;
          case ALREADY_EXISTS -> Failures.DATABASE_EXISTS;
          case TRANSIENT -> null;
        };
    if (type == null) {
      return ApplicationFailure.newFailure(e.getMessage(), "PostgresError");
    }
    return ApplicationFailure.newNonRetryableFailure(e.getMessage(), type);
  }
}
