package io.drflow.activities.storage;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The buffer memory all transfers of one worker may hold at once. Each upload and download asks
 * for its buffers before it starts, so a worker running many backups and drills at once queues
 * the big ones instead of running out of memory; small transfers need little and rarely wait.
 * A transfer bigger than the whole budget runs alone.
 */
final class TransferMemory {

  /** Half the heap: buffers live on and off the heap, and the JVM caps direct memory at -Xmx. */
  static final TransferMemory SHARED =
      new TransferMemory(Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 2));

  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private long inUse;

  TransferMemory(long capacity) {
    this.capacity = capacity;
  }

  /** Memory held until {@link #close()}. */
  final class Lease implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Lease(long bytes) {
      this.bytes = bytes;
    }

    long bytes() {
      return bytes;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (!closed) {
          closed = true;
          inUse -= bytes;
          freed.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits until {@code bytes} (at most the whole budget) are free and takes them. {@code
   * whileWaiting} runs every {@code every} meanwhile, so a queued activity keeps heartbeating;
   * throwing from it gives up.
   */
  Lease acquire(long bytes, Duration every, Runnable whileWaiting) throws InterruptedException {
    long want = Math.min(Math.max(0, bytes), capacity);
    lock.lock();
    try {
      while (inUse + want > capacity) {
        if (!freed.await(every.toNanos(), TimeUnit.NANOSECONDS)) {
          lock.unlock();
          try {
            whileWaiting.run();
          } finally {
            lock.lock();
          }
        }
      }
      inUse += want;
      return new Lease(want);
    } finally {
      lock.unlock();
    }
  }

  long capacity() {
    return capacity;
  }

  long inUse() {
    lock.lock();
    try {
      return inUse;
    } finally {
      lock.unlock();
    }
  }
}
