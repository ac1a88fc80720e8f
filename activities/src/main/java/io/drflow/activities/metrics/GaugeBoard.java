package io.drflow.activities.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Gauges whose value is set rather than sampled. A gauge exists only once a value is known, and
 * can be withdrawn: an absent series says "unknown" to Prometheus, where a zero or NaN would be
 * read as a fact.
 */
final class GaugeBoard {

  private record Key(String name, Tags tags) {}

  private record Entry(Gauge gauge, AtomicReference<Double> value) {}

  private final MeterRegistry registry;
  private final Map<Key, Entry> gauges = new ConcurrentHashMap<>();

  GaugeBoard(MeterRegistry registry) {
    this.registry = registry;
  }

  void set(String name, String help, String unit, Tags tags, double value) {
    gauges
        .computeIfAbsent(
            new Key(name, tags),
            k -> {
              AtomicReference<Double> v = new AtomicReference<>(value);
              Gauge g =
                  Gauge.builder(name, v, AtomicReference::get)
                      .description(help)
                      .baseUnit(unit)
                      .tags(tags)
                      .strongReference(true)
                      .register(registry);
              return new Entry(g, v);
            })
        .value()
        .set(value);
  }

  void remove(String name, Tags tags) {
    Entry e = gauges.remove(new Key(name, tags));
    if (e != null) {
      registry.remove(e.gauge());
    }
  }

  Double get(String name, Tags tags) {
    Entry e = gauges.get(new Key(name, tags));
    return e == null ? null : e.value().get();
  }
}
