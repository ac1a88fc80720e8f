package io.drflow.activities;

import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.metrics.RunMetrics;
import io.drflow.activities.metrics.StoredStateRefresher;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.kubernetes.KubernetesClients;
import io.drflow.activities.runbook.BackupActivitiesImpl;
import io.drflow.activities.runbook.CatalogActivitiesImpl;
import io.drflow.activities.runbook.DeploymentActivitiesImpl;
import io.drflow.activities.runbook.FailoverActivitiesImpl;
import io.drflow.activities.runbook.HealthActivitiesImpl;
import io.drflow.activities.runbook.LockActivitiesImpl;
import io.drflow.activities.runbook.NotifyActivitiesImpl;
import io.drflow.activities.runbook.RecoveryActivitiesImpl;
import io.drflow.activities.runbook.ReportActivitiesImpl;
import io.drflow.activities.runbook.RestoreActivitiesImpl;
import io.drflow.activities.runbook.ServiceRegistry;
import io.drflow.activities.runbook.StoredReports;
import io.drflow.activities.runbook.WorkDirs;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Every activity implementation a worker registers, built from one config. Owns the S3 client
 * and connection settings they share.
 */
public final class DrflowActivities implements AutoCloseable {

  private final ObjectStore store;
  private final WorkDirs workDirs;
  private final List<Object> all;
  private final RestoreActivitiesImpl restore;
  private final StoredStateRefresher metricsState;
  private final KubernetesClients kubernetes;

  private DrflowActivities(
      ObjectStore store,
      WorkDirs workDirs,
      List<Object> all,
      RestoreActivitiesImpl restore,
      StoredStateRefresher metricsState,
      KubernetesClients kubernetes) {
    this.store = store;
    this.workDirs = workDirs;
    this.all = all;
    this.restore = restore;
    this.metricsState = metricsState;
    this.kubernetes = kubernetes;
  }

  /** Activities whose runs are not measured (metrics disabled). */
  public static DrflowActivities create(DrflowConfig config, Secrets secrets, String hostQueue) {
    return create(config, secrets, hostQueue, RunMetrics.disabled());
  }

  /**
   * @param hostQueue the task queue only this worker's host serves; the restore activities hand
   *     it to workflows so download and restore run where the file is
   */
  public static DrflowActivities create(
      DrflowConfig config, Secrets secrets, String hostQueue, RunMetrics metrics) {
    ServiceRegistry services = new ServiceRegistry(config);
    ObjectStore store = ObjectStore.open(config.storage(), secrets, config.backup());
    BackupLayout layout = BackupLayout.of(config.storage());
    PgConnections connections = new PgConnections(secrets);
    WorkDirs workDirs = new WorkDirs(Path.of(config.worker().workDir()));
    // One cache of stored reports for history and metrics: each report is read once per worker.
    StoredReports reports = new StoredReports(store, layout);
    RestoreActivitiesImpl restore =
        new RestoreActivitiesImpl(services, secrets, connections, store, layout, workDirs, hostQueue);
    KubernetesClients kubernetes = new KubernetesClients(secrets);
    List<Object> all =
        List.of(
            new CatalogActivitiesImpl(services, secrets, connections, store, layout),
            new BackupActivitiesImpl(services, secrets, connections, store, layout),
            restore,
            new ReportActivitiesImpl(store, layout, services, reports, metrics),
            new RecoveryActivitiesImpl(services, secrets, connections, kubernetes),
            new DeploymentActivitiesImpl(services, kubernetes, Duration.ofSeconds(2)),
            new HealthActivitiesImpl(services, Clock.systemUTC()),
            new FailoverActivitiesImpl(services, kubernetes, connections, Clock.systemUTC(), Duration.ofSeconds(2)),
            new NotifyActivitiesImpl(services, secrets),
            new LockActivitiesImpl());
    StoredStateRefresher metricsState =
        new StoredStateRefresher(config, new ManifestStore(store, layout), reports, metrics);
    return new DrflowActivities(store, workDirs, all, restore, metricsState, kubernetes);
  }

  /** For the shared task queue. */
  public List<Object> all() {
    return all;
  }

  /** For this host's own queue: the activities that share the downloaded file. */
  public List<Object> hostLocal() {
    return List.of(restore);
  }

  /** Removes downloads left by runs whose worker died (untouched for six hours). */
  public int sweepStaleWorkFiles() {
    return workDirs.sweep(Duration.ofHours(6));
  }

  /**
   * Sets the metrics from the bucket now (in the background) and every {@code every} after: a
   * restarted worker reports the last backup and drill, not nothing.
   */
  public void startMetricsRefresh(Duration every) {
    metricsState.start(every);
  }

  /** Reads the bucket's state into the metrics now; returns how many services failed. */
  public int refreshMetricsNow() {
    return metricsState.refreshNow();
  }

  @Override
  public void close() {
    metricsState.close();
    for (Object a : all) {
      if (a instanceof FailoverActivitiesImpl failover) {
        failover.close();
      }
    }
    kubernetes.close();
    store.close();
  }
}
