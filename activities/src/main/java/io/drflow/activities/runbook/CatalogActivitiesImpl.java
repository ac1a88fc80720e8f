package io.drflow.activities.runbook;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgException;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.runbook.Failures;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans runs from the config, checking before anything is touched that the run can work: the
 * service exists, its credentials are in the environment, and the server it needs answers.
 */
public final class CatalogActivitiesImpl implements CatalogActivities {

  private final ServiceRegistry services;
  private final Secrets secrets;
  private final PgConnections connections;
  private final ManifestStore manifests;
  private final BackupLayout layout;

  public CatalogActivitiesImpl(
      ServiceRegistry services,
      Secrets secrets,
      PgConnections connections,
      ObjectStore store,
      BackupLayout layout) {
    this.services = services;
    this.secrets = secrets;
    this.connections = connections;
    this.layout = layout;
    this.manifests = new ManifestStore(store, layout);
  }

  @Override
  public ServicePlan plan(String service, String runbookId) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(service);
          Runbook runbook = runbook(runbookId);
          StorageConfig storage = services.config().storage();
          secrets.optional(storage.accessKeyEnv());
          secrets.optional(storage.secretKeyEnv());
          secrets.optional(svc.postgres().passwordEnv());
          String drillServer = null;
          if (runbook == Runbook.DRILL) {
            ServerConfig target = services.drillServer(service);
            secrets.optional(target.passwordEnv());
            reachable("drill target", target.database(target.maintenanceDatabase()));
            drillServer = target.server();
          } else if (runbook == Runbook.BACKUP) {
            reachable("source database", svc.postgres());
          }
          return new ServicePlan(
              service,
              runbook.id(),
              svc.postgres().database(),
              svc.postgres().server(),
              drillServer,
              svc.rto().toSeconds(),
              svc.rpo().toSeconds(),
              budgets(runbook, svc),
              svc.drill() == null ? 0 : svc.drill().assertions().size(),
              storage.describe());
        });
  }

  private static Runbook runbook(String id) {
    try {
      return Runbook.byId(id);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "unknown runbook '" + id + "'", Failures.INVALID_INPUT);
    }
  }

  /** A server that does not answer now fails the run before it changes anything. */
  private void reachable(String what, PostgresConfig pg) {
    PgException problem = connections.probe(pg).orElse(null);
    if (problem != null) {
      throw ApplicationFailure.newNonRetryableFailure(
          what + " " + PgConnections.where(pg) + " is not usable: " + problem.getMessage(),
          problem.kind() == PgException.Kind.AUTH_FAILED
              ? Failures.MISSING_CREDENTIALS
              : Failures.SERVER_UNREACHABLE);
    }
  }

  static Map<String, Long> budgets(Runbook runbook, ServiceConfig svc) {
    Map<String, Long> out = new LinkedHashMap<>(runbook.defaultBudgets(svc.rto().toSeconds()));
    Map<String, Duration> overrides = svc.budgets().get(runbook.id());
    if (overrides != null) {
      overrides.forEach((phase, d) -> out.put(phase, d.toSeconds()));
    }
    return out;
  }

  @Override
  public List<BackupRef> listBackups(String service, int limit) {
    return ActivityErrors.translate(
        () -> {
          services.service(service);
          return manifests.listVerified(service, limit).stream()
              .map(m -> BackupRefs.of(m, layout))
              .toList();
        });
  }
}
