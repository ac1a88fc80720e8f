package io.drflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's Kubernetes mock server in CRUD mode, plus the one thing it lacks for these tests: a
 * Deployment controller. A background thread makes each Deployment's pods match its replica count
 * and reports them as available, as the real controller would (minus the waiting).
 */
public final class FakeCluster implements AutoCloseable {

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final String namespace;
  private final Thread controller;
  private volatile boolean running = true;
  private volatile boolean paused;

  private FakeCluster(String namespace) {
    this.namespace = namespace;
    this.server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    this.client = server.createClient();
    this.controller = new Thread(this::reconcileLoop, "fake-deployment-controller");
    controller.setDaemon(true);
    controller.start();
  }

  public static FakeCluster start(String namespace) {
    return new FakeCluster(namespace);
  }

  /** The API server's URL, for a drflow config's {@code kubernetes.apiUrl}. */
  public String apiUrl() {
    return "http://" + server.getHostName() + ":" + server.getPort();
  }

  public KubernetesClient client() {
    return client;
  }

  public void deployment(String name, int replicas) {
    client.apps().deployments().inNamespace(namespace).resource(
        new DeploymentBuilder()
            .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector().addToMatchLabels("app", name).endSelector()
            .withNewTemplate()
            .withNewMetadata().addToLabels("app", name).endMetadata()
            .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
            .endTemplate()
            .endSpec()
            .build())
        .create();
  }

  public int replicas(String name) {
    Integer r = get(name).getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  public Map<String, String> annotations(String name) {
    Map<String, String> a = get(name).getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  public int pods(String name) {
    return client.pods().inNamespace(namespace).withLabel("app", name).list().getItems().size();
  }

  /**
   * Stops reconciling: pods stay as they are, as behind a stuck finalizer. Holds the reconcile
   * lock, so no round is under way once it returns.
   */
  public synchronized void pause() {
    paused = true;
  }

  public synchronized void resume() {
    paused = false;
  }

  private synchronized void tick() {
    if (!paused) {
      settle();
    }
  }

  /** Reconciles once, now; a conflict with a concurrent writer is retried. */
  public synchronized void settle() {
    for (int attempt = 1; ; attempt++) {
      try {
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
          reconcile(d);
        }
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private Deployment get(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private void reconcileLoop() {
    while (running) {
      try {
        tick();
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The server may be stopping; the next round tries again.
      }
    }
  }

  private void reconcile(Deployment d) {
    String name = d.getMetadata().getName();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    List<Pod> pods = client.pods().inNamespace(namespace).withLabel("app", name).list().getItems();
    for (int i = pods.size(); i < want; i++) {
      client.pods().inNamespace(namespace).resource(
          new PodBuilder()
              .withNewMetadata()
              .withName(name + "-" + System.nanoTime())
              .withNamespace(namespace)
              .addToLabels("app", name)
              .endMetadata()
              .build())
          .create();
    }
    for (int i = want; i < pods.size(); i++) {
      client.pods().inNamespace(namespace).withName(pods.get(i).getMetadata().getName()).delete();
    }
    int have = Math.min(pods.size(), want) + Math.max(0, want - pods.size());
    Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
    Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    if (available == null || available != have
        || !java.util.Objects.equals(observed, d.getMetadata().getGeneration())) {
      client.apps().deployments().inNamespace(namespace).withName(name).editStatus(
          x -> new DeploymentBuilder(x)
              .withStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(have)
                      .withAvailableReplicas(have)
                      .withReadyReplicas(have)
                      .withUpdatedReplicas(have)
                      .withObservedGeneration(x.getMetadata().getGeneration())
                      .build())
              .build());
    }
  }

  @Override
  public void close() {
    running = false;
    controller.interrupt();
    try {
      controller.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
    server.destroy();
  }
}
