package io.drflow.activities.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one query per item over a few connections at once, one thread per connection, each taking
 * the next item when done (items are given biggest first, so the long ones do not end up last).
 * The connections are prepared by the caller: for a backup, each has imported the same snapshot.
 */
final class ParallelWork {

  /** The work for one item on one connection. */
  @FunctionalInterface
  interface Task<I, R> {
    R apply(Connection c, I item) throws SQLException;
  }

  private ParallelWork() {}

  /**
   * Results in the order of {@code items}. The first failure stops the other threads from taking
   * more items and is rethrown once they have finished their current one.
   *
   * @param done incremented after each item, for progress reports from another thread
   */
  static <I, R> Map<I, R> run(
      List<I> items, List<Connection> connections, Task<I, R> task, AtomicInteger done)
      throws SQLException, InterruptedException {
    ConcurrentLinkedQueue<I> queue = new ConcurrentLinkedQueue<>(items);
    Map<I, R> results = new ConcurrentHashMap<>();
    AtomicReference<SQLException> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections.size(); i++) {
      Connection c = connections.get(i);
      Thread t = new Thread(() -> {
        I item;
        while (failure.get() == null && (item = queue.poll()) != null) {
          try {
            R r = task.apply(c, item);
            if (r != null) {
              results.put(item, r);
            }
            done.incrementAndGet();
          } catch (SQLException e) {
            failure.compareAndSet(null, e);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, new SQLException(e.toString(), e));
          }
        }
      }, "drflow-pg-worker-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    Map<I, R> ordered = new LinkedHashMap<>();
    for (I item : items) {
      if (results.containsKey(item)) {
        ordered.put(item, results.get(item));
      }
    }
    return ordered;
  }
}
