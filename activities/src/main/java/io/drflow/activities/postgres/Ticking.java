package io.drflow.activities.postgres;

import io.drflow.activities.postgres.PgException.Kind;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs long database work on its own thread so the caller's thread can call {@code tick} every so
 * often: a single {@code count(*)} on a big table can outlast a Temporal heartbeat timeout. When
 * {@code tick} throws, {@code abort} runs (closing the connections cancels their queries) and the
 * tick's exception propagates.
 */
final class Ticking {

  private Ticking() {}

  static <T> T call(
      String what, Duration every, Runnable tick, Callable<T> work, Runnable abort) {
    FutureTask<T> task = new FutureTask<>(work);
    Thread t = new Thread(task, "drflow-" + what);
    t.setDaemon(true);
    t.start();
    try {
      while (true) {
        try {
          return task.get(every.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (tick != null) {
            tick.run();
          }
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new PgException(Kind.TRANSIENT, what + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      abort.run();
      Thread.currentThread().interrupt();
      throw new PgException(Kind.TRANSIENT, what + " was interrupted", e);
    } catch (RuntimeException | Error e) {
      abort.run();
      t.interrupt();
      throw e;
    }
  }
}
