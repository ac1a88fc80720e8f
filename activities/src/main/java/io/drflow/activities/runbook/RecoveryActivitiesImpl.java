package io.drflow.activities.runbook;

import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.config.KubernetesConfig;
import io.drflow.activities.config.NotifyConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.kubernetes.KubernetesClients;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgRecovery;
import io.drflow.workflows.activities.RecoveryActivities;
import io.drflow.workflows.runbook.Failures;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The database side of a recovery, and the check that a service can be recovered at all. */
public final class RecoveryActivitiesImpl implements RecoveryActivities {

  /** The only names a swap may move a database to or from, besides production's own. */
  private static final Pattern RESTORED = Pattern.compile(".+_restore_[0-9a-z]+$");

  private static final Pattern PRE_RECOVERY = Pattern.compile(".+_pre_recovery_[0-9a-z]+$");

  private final ServiceRegistry services;
  private final Secrets secrets;
  private final PgRecovery recovery;
  private final KubernetesClients kubernetes;

  public RecoveryActivitiesImpl(
      ServiceRegistry services, Secrets secrets, PgConnections connections, KubernetesClients kubernetes) {
    this.services = services;
    this.secrets = secrets;
    this.recovery = new PgRecovery(connections);
    this.kubernetes = kubernetes;
  }

  @Override
  public RecoveryPlan prepare(String service) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(service);
          PostgresConfig pg = svc.postgres();
          List<String> warnings = new ArrayList<>();
          KubernetesConfig k = svc.kubernetes();
          if (k != null) {
            try {
              kubernetes.forService(service, k);
            } catch (KubernetesClientException e) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "services." + service + ".kubernetes: cannot build a client: " + e.getMessage(),
                  Failures.INVALID_CONFIG);
            }
          }
          boolean webhook = false;
          NotifyConfig n = svc.notifications();
          if (n == null) {
            warnings.add(
                "no notifications section: approval requests and reminders reach only the worker log");
          } else {
            try {
              String url = secrets.optional(n.webhookUrlEnv()).orElse(null);
              URI.create(url);
              webhook = true;
            } catch (Secrets.MissingSecretException | IllegalArgumentException | NullPointerException e) {
              warnings.add(
                  "notifications.webhookUrlEnv " + n.webhookUrlEnv() + " does not hold a usable URL in the"
                      + " worker's environment: events reach only the worker log");
            }
          }
          HealthConfig h = svc.health();
          return new RecoveryPlan(
              service,
              pg.database(),
              pg.server(),
              k != null,
              k == null ? null : k.namespace(),
              k == null ? List.of() : k.deployments(),
              h == null ? null : h.url(),
              h == null ? 0 : h.deadline().toSeconds(),
              svc.recovery().approvalReminder().toSeconds(),
              webhook,
              warnings);
        });
  }

  @Override
  public Assessment assess(String service) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(service);
          PgRecovery.Assessment a =
              recovery.assess(source(service), svc.postgres().database());
          return new Assessment(
              a.serverReachable(),
              a.databaseExists(),
              a.databaseReachable(),
              a.sizeBytes(),
              a.lastWriteAt() == null ? null : a.lastWriteAt().toString(),
              a.problem());
        });
  }

  @Override
  public SwapResult swap(SwapRequest request) {
    return ActivityErrors.translate(
        () -> {
          PgRecovery.SwapOutcome o = recovery.swap(source(request.service()), names(request));
          return new SwapResult(o.state().name(), o.actions());
        });
  }

  @Override
  public SwapResult swapBack(SwapRequest request) {
    return ActivityErrors.translate(
        () -> {
          PgRecovery.SwapOutcome o = recovery.swapBack(source(request.service()), names(request));
          return new SwapResult(o.state().name(), o.actions());
        });
  }

  private ServerConfig source(String service) {
    return services.server(service, ServiceRegistry.SOURCE);
  }

  /**
   * Payloads are checked against the config: a swap only ever touches the service's own
   * database and names of the shapes recoveries create.
   */
  private PgRecovery.SwapNames names(SwapRequest r) {
    String production = services.service(r.service()).postgres().database();
    if (!production.equals(r.production())
        || !RESTORED.matcher(r.restored()).matches()
        || !PRE_RECOVERY.matcher(r.preRecovery()).matches()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "refusing to swap " + r.restored() + " / " + r.production() + " / " + r.preRecovery()
              + ": the production name must be " + production + " and the others recovery names",
          Failures.INVALID_INPUT);
    }
    return new PgRecovery.SwapNames(r.production(), r.restored(), r.preRecovery(), r.marker());
  }
}
