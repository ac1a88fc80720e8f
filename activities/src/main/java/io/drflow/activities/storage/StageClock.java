package io.drflow.activities.storage;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/** Accumulates one stage's busy time from many threads, on a monotonic clock. */
final class StageClock {

  private final String stage;
  private final Instant baseInstant;
  private final long baseNanos;
  private final AtomicLong busy = new AtomicLong();
  private final LongAccumulator first = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private final LongAccumulator last = new LongAccumulator(Math::max, Long.MIN_VALUE);

  StageClock(String stage, Instant baseInstant, long baseNanos) {
    this.stage = stage;
    this.baseInstant = baseInstant;
    this.baseNanos = baseNanos;
  }

  /** Records work that ran from {@code startNanos} until now; returns now. */
  long add(long startNanos) {
    long end = System.nanoTime();
    busy.addAndGet(end - startNanos);
    first.accumulate(startNanos);
    last.accumulate(end);
    return end;
  }

  StageTiming timing() {
    long f = first.get();
    if (f == Long.MAX_VALUE) {
      return new StageTiming(stage, 0, null, null);
    }
    return new StageTiming(stage, busy.get(), instant(f), instant(last.get()));
  }

  private Instant instant(long nanos) {
    return baseInstant.plusNanos(nanos - baseNanos);
  }
}
