package io.drflow.cli;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Blocking calls (long polls for a result, updates) on a thread of their own. The common
 * ForkJoinPool has a single thread on a 2-core machine, and anything else queued there (an
 * in-process Temporal test server does) would wait behind a call that waits for it.
 */
final class Background {

  private Background() {}

  static <T> CompletableFuture<T> call(String name, Supplier<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(body.get());
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return result;
  }
}
