package io.drflow.activities.metrics;

import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.runbook.StoredReports;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.Manifest;
import io.drflow.workflows.model.RunSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the metrics from what the bucket holds: the two newest published backups, the newest
 * concluded drill and the newest successful backup run of every configured service. Run when the
 * worker starts, so a restart neither fires the stale-backup alert falsely nor silences it, and
 * periodically after, so every worker converges on the runs other workers did.
 */
public final class StoredStateRefresher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoredStateRefresher.class);

  private final DrflowConfig config;
  private final ManifestStore manifests;
  private final StoredReports reports;
  private final RunMetrics metrics;
  private ScheduledExecutorService scheduler;

  public StoredStateRefresher(
      DrflowConfig config, ManifestStore manifests, StoredReports reports, RunMetrics metrics) {
    this.config = config;
    this.manifests = manifests;
    this.reports = reports;
    this.metrics = metrics;
    config.services().forEach((name, svc) -> metrics.objectives(name, svc.rto().toSeconds(), svc.rpo().toSeconds()));
  }

  /** Refreshes every service now; returns how many could not be read (each is logged). */
  public int refreshNow() {
    int failed = 0;
    for (String service : config.services().keySet()) {
      try {
        refresh(service);
      } catch (RuntimeException e) {
        failed++;
        log.warn("metrics for service {} not refreshed from storage: {}", service, e.toString());
      }
    }
    return failed;
  }

  private void refresh(String service) {
    backups(service);
    reports.newest(service, s -> s.drillRun() && s.concluded(), 1).forEach(metrics::run);
    reports.newest(service, s -> s.backupRun() && s.passed(), 1).forEach(metrics::run);
  }

  /**
   * The newest backup is the newest manifest that verifies and is not a safety copy: only a
   * restorable backup of a healthy database counts. The
   * one before it may already be gone (retention keeps one per day), so its size also comes from
   * the backup reports, which retention never deletes.
   */
  private void backups(String service) {
    List<RunMetrics.BackupFacts> published =
        manifests.listRestorable(service, 2).stream().map(StoredStateRefresher::facts).toList();
    if (published.isEmpty()) {
      return;
    }
    RunMetrics.BackupFacts newest = published.get(0);
    Stream<RunMetrics.BackupFacts> reported =
        reports.newest(service, s -> s.backupRun() && s.backupCreatedAt() != null, 2).stream()
            .map(StoredStateRefresher::facts)
            .flatMap(Optional::stream);
    Optional<RunMetrics.BackupFacts> previous =
        Stream.concat(published.stream().skip(1), reported)
            .filter(f -> f.createdAtMillis() < newest.createdAtMillis())
            .max(Comparator.comparingLong(RunMetrics.BackupFacts::createdAtMillis));
    metrics.backups(service, previous.map(p -> List.of(newest, p)).orElse(List.of(newest)));
  }

  private static RunMetrics.BackupFacts facts(Manifest m) {
    Instant at = ManifestStore.parseInstant(m.createdAt());
    return new RunMetrics.BackupFacts(at.toEpochMilli(), m.dump().dumpBytes(), m.dump().storedBytes());
  }

  private static Optional<RunMetrics.BackupFacts> facts(RunSummary s) {
    Instant at = RunSummary.instant(s.backupCreatedAt());
    return at == null
        ? Optional.empty()
        : Optional.of(new RunMetrics.BackupFacts(at.toEpochMilli(), s.backupDumpBytes(), s.backupStoredBytes()));
  }

  /** Refreshes in the background now and then every {@code every}; never blocks the caller. */
  public synchronized void start(Duration every) {
    if (scheduler != null) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drflow-metrics-refresh");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleWithFixedDelay(this::refreshNow, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
