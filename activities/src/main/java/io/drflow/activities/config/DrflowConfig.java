package io.drflow.activities.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * The whole of {@code drflow.yaml}. Every section is optional: with none, drflow talks to the
 * embedded dev stack at its documented addresses.
 */
public record DrflowConfig(
    TemporalConfig temporal,
    StorageConfig storage,
    WorkerConfig worker,
    BackupTuning backup,
    Map<String, ServiceConfig> services,
    MetricsConfig metrics) {

  public DrflowConfig {
    metrics = metrics == null ? MetricsConfig.defaults() : metrics;
    temporal = temporal == null ? TemporalConfig.defaults() : temporal;
    storage = storage == null ? StorageConfig.defaults() : storage;
    worker = worker == null ? WorkerConfig.defaults() : worker;
    backup = backup == null ? BackupTuning.defaults() : backup;
    services = services == null ? Map.of() : new TreeMap<>(services);
  }

  /** A config with the default metrics endpoint. */
  public DrflowConfig(
      TemporalConfig temporal,
      StorageConfig storage,
      WorkerConfig worker,
      BackupTuning backup,
      Map<String, ServiceConfig> services) {
    this(temporal, storage, worker, backup, services, null);
  }

  public static DrflowConfig empty() {
    return new DrflowConfig(null, null, null, null, null, null);
  }

  public DrflowConfig withServices(Map<String, ServiceConfig> replacement) {
    return new DrflowConfig(temporal, storage, worker, backup, replacement, metrics);
  }

  public DrflowConfig withMetrics(MetricsConfig replacement) {
    return new DrflowConfig(temporal, storage, worker, backup, services, replacement);
  }
}
