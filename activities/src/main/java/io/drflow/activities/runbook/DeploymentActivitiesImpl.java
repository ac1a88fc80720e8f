package io.drflow.activities.runbook;

import io.drflow.activities.config.KubernetesConfig;
import io.drflow.activities.kubernetes.DeploymentScaler;
import io.drflow.activities.kubernetes.KubernetesClients;
import io.drflow.workflows.activities.DeploymentActivities;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.runbook.Failures;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** The service's writers, as the Kubernetes Deployments its config names. */
public final class DeploymentActivitiesImpl implements DeploymentActivities {

  private final ServiceRegistry services;
  private final KubernetesClients clients;
  private final Duration poll;

  /** @param poll how often waits look at the cluster */
  public DeploymentActivitiesImpl(ServiceRegistry services, KubernetesClients clients, Duration poll) {
    this.services = services;
    this.clients = clients;
    this.poll = poll;
  }

  @Override
  public List<Replicas> describe(String service) {
    return k8s(() -> replicas(scaler(service).describe(config(service).deployments())));
  }

  @Override
  public ScaleResult scaleDown(ScaleDownRequest request) {
    return k8s(
        () -> {
          DeploymentScaler.Outcome o =
              scaler(request.service()).scaleDown(config(request.service()).deployments(), request.runId());
          return new ScaleResult(replicas(o.replicas()), o.actions());
        });
  }

  @Override
  public int awaitNoPods(String service) {
    return k8s(
        () ->
            scaler(service)
                .awaitNoPods(config(service).deployments(), Heartbeat.tick("waiting for pods to end")));
  }

  @Override
  public ScaleResult scaleBack(ScaleBackRequest request) {
    return k8s(
        () -> {
          List<DeploymentScaler.Replicas> targets =
              request.targets() == null
                  ? List.of()
                  : request.targets().stream()
                      .map(r -> new DeploymentScaler.Replicas(r.name(), r.replicas()))
                      .toList();
          DeploymentScaler.Outcome o =
              scaler(request.service())
                  .scaleBack(
                      config(request.service()).deployments(),
                      request.runId(),
                      DeploymentScaler.byName(targets));
          return new ScaleResult(replicas(o.replicas()), o.actions());
        });
  }

  @Override
  public List<Replicas> awaitAvailable(String service) {
    return k8s(
        () ->
            replicas(
                scaler(service)
                    .awaitAvailable(
                        config(service).deployments(), Heartbeat.tick("waiting for rollout"))));
  }

  private KubernetesConfig config(String service) {
    KubernetesConfig k = services.service(service).kubernetes();
    if (k == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "services." + service + ".kubernetes is not configured", Failures.INVALID_CONFIG);
    }
    return k;
  }

  private DeploymentScaler scaler(String service) {
    KubernetesConfig k = config(service);
    return new DeploymentScaler(clients.forService(service, k), k.namespace(), poll);
  }

  private static List<Replicas> replicas(List<DeploymentScaler.Replicas> list) {
    return list.stream().map(r -> new Replicas(r.name(), r.replicas())).toList();
  }

  /** Kubernetes answers that retrying cannot change become non-retryable failures. */
  static <T> T k8s(Callable<T> body) {
    return ActivityErrors.translate(
        () -> {
          try {
            return body.call();
          } catch (DeploymentScaler.MissingDeploymentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_CONFIG);
          } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 401 || code == 403) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "Kubernetes refused the credentials (HTTP " + code + "): " + e.getMessage(),
                  Failures.MISSING_CREDENTIALS);
            }
            if (code == 404 || code == 400 || code == 422) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "Kubernetes answered HTTP " + code + ": " + e.getMessage(), Failures.INVALID_CONFIG);
            }
            throw Activity.wrap(e);
          }
        });
  }
}
