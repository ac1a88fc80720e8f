package io.drflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scales a service's Deployments down and back. The count before scaling down is written onto the
 * Deployment itself, keyed by the run, in the same edit that sets 0: a retry after a crash reads
 * it back instead of mistaking the 0 for the count to restore, and so does a later run when an
 * earlier one died with the writers stopped.
 */
public final class DeploymentScaler {

  public static final String RUN_ANNOTATION = "drflow.io/recovery-run";
  public static final String REPLICAS_ANNOTATION = "drflow.io/replicas-before-recovery";

  /** A Deployment's replica count. */
  public record Replicas(String name, int replicas) {}

  /** Counts before, and what was changed (empty when nothing had to be). */
  public record Outcome(List<Replicas> replicas, List<String> actions) {}

  /** Raised for a configured Deployment the cluster does not have. */
  public static final class MissingDeploymentException extends RuntimeException {
    public MissingDeploymentException(String message) {
      super(message);
    }
  }

  private static final int CONFLICT_ATTEMPTS = 10;

  private final KubernetesClient client;
  private final String namespace;
  private final Duration poll;

  public DeploymentScaler(KubernetesClient client, String namespace, Duration poll) {
    this.client = client;
    this.namespace = namespace;
    this.poll = poll;
  }

  public List<Replicas> describe(List<String> names) {
    List<Replicas> out = new ArrayList<>();
    for (String name : names) {
      out.add(new Replicas(name, desired(get(name))));
    }
    return out;
  }

  public Outcome scaleDown(List<String> names, String runId) {
    List<Replicas> before = new ArrayList<>();
    List<String> actions = new ArrayList<>();
    for (String name : names) {
      Deployment d = get(name);
      Map<String, String> ann = annotations(d);
      int now = desired(d);
      int previous;
      if (runId.equals(ann.get(RUN_ANNOTATION))) {
        previous = recorded(ann, now);
      } else if (now == 0 && ann.containsKey(REPLICAS_ANNOTATION)) {
        // Stopped by an earlier recovery that never restarted it: its count is the real one.
        previous = recorded(ann, now);
        actions.add(name + ": already 0 since recovery " + ann.get(RUN_ANNOTATION) + ", which recorded " + previous);
      } else {
        previous = now;
      }
      before.add(new Replicas(name, previous));
      if (now != 0 || !runId.equals(ann.get(RUN_ANNOTATION))) {
        edit(name, x -> new DeploymentBuilder(x)
                .editMetadata()
                .addToAnnotations(RUN_ANNOTATION, runId)
                .addToAnnotations(REPLICAS_ANNOTATION, Integer.toString(previous))
                .endMetadata()
                .editSpec()
                .withReplicas(0)
                .endSpec()
                .build());
        if (now != 0) {
          actions.add(name + " " + now + " → 0");
        }
      }
    }
    return new Outcome(before, actions);
  }

  /**
   * Scales each Deployment to its target count (a failover's serving counts), recording the count
   * it had on the Deployment under {@code runId} so a retry, or the rollback, knows it.
   */
  public Outcome scaleUp(Map<String, Integer> targets, String runId) {
    List<Replicas> before = new ArrayList<>();
    List<String> actions = new ArrayList<>();
    for (Map.Entry<String, Integer> t : targets.entrySet()) {
      String name = t.getKey();
      int want = t.getValue();
      Deployment d = get(name);
      Map<String, String> ann = annotations(d);
      int now = desired(d);
      boolean ours = runId.equals(ann.get(RUN_ANNOTATION));
      int previous = ours ? recorded(ann, now) : now;
      before.add(new Replicas(name, previous));
      if (now != want || !ours) {
        edit(name, x -> new DeploymentBuilder(x)
                .editMetadata()
                .addToAnnotations(RUN_ANNOTATION, runId)
                .addToAnnotations(REPLICAS_ANNOTATION, Integer.toString(previous))
                .endMetadata()
                .editSpec()
                .withReplicas(want)
                .endSpec()
                .build());
        if (now != want) {
          actions.add(name + " " + now + " → " + want);
        }
      }
    }
    return new Outcome(before, actions);
  }

  /**
   * @param targets counts to restore; for a Deployment without one, the count {@code runId}
   *     recorded on it is used, and a Deployment this run never touched is left alone
   */
  public Outcome scaleBack(List<String> names, String runId, Map<String, Integer> targets) {
    List<Replicas> out = new ArrayList<>();
    List<String> actions = new ArrayList<>();
    for (String name : names) {
      Deployment d = get(name);
      Map<String, String> ann = annotations(d);
      boolean ours = runId.equals(ann.get(RUN_ANNOTATION));
      Integer target = targets.get(name);
      if (target == null && ours) {
        target = recorded(ann, desired(d));
      }
      if (target == null) {
        out.add(new Replicas(name, desired(d)));
        continue;
      }
      int want = target;
      int now = desired(d);
      if (now != want || ours) {
        edit(name, x -> {
              DeploymentBuilder b = new DeploymentBuilder(x);
              if (runId.equals(annotations(x).get(RUN_ANNOTATION))) {
                b.editMetadata()
                    .removeFromAnnotations(RUN_ANNOTATION)
                    .removeFromAnnotations(REPLICAS_ANNOTATION)
                    .endMetadata();
              }
              return b.editSpec().withReplicas(want).endSpec().build();
            });
        if (now != want) {
          actions.add(name + " " + now + " → " + want);
        }
      }
      out.add(new Replicas(name, want));
    }
    return new Outcome(out, actions);
  }

  /** Waits until no pod of the Deployments is left, terminating ones included; returns 0. */
  public int awaitNoPods(List<String> names, Runnable tick) throws InterruptedException {
    while (true) {
      int pods = 0;
      for (String name : names) {
        pods += pods(get(name));
      }
      if (pods == 0) {
        return 0;
      }
      tick.run();
      Thread.sleep(poll.toMillis());
    }
  }

  /** Waits until every Deployment has its desired number of up-to-date available replicas. */
  public List<Replicas> awaitAvailable(List<String> names, Runnable tick) throws InterruptedException {
    while (true) {
      List<Replicas> ready = new ArrayList<>();
      boolean all = true;
      for (String name : names) {
        Deployment d = get(name);
        int want = desired(d);
        DeploymentStatus s = d.getStatus();
        int available = s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
        int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
        Long generation = d.getMetadata().getGeneration();
        Long observed = s == null ? null : s.getObservedGeneration();
        boolean current = generation == null || observed == null || observed >= generation;
        if (want > 0 && (!current || available < want || updated < want)) {
          all = false;
        }
        ready.add(new Replicas(name, available));
      }
      if (all) {
        return ready;
      }
      tick.run();
      Thread.sleep(poll.toMillis());
    }
  }

  /**
   * Edits are optimistic (they carry the resourceVersion read), and the Deployment controller
   * writes the status all the time: a conflict only means "read again".
   */
  private void edit(String name, java.util.function.UnaryOperator<Deployment> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.apps().deployments().inNamespace(namespace).withName(name).edit(change);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private int pods(Deployment d) {
    LabelSelector selector = d.getSpec().getSelector();
    if (selector == null
        || (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
            && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty())) {
      throw new IllegalStateException("deployment " + d.getMetadata().getName() + " has no selector");
    }
    return client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems().size();
  }

  private Deployment get(String name) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d == null) {
      throw new MissingDeploymentException(
          "deployment " + name + " not found in namespace " + namespace + " of " + client.getMasterUrl());
    }
    return d;
  }

  private static int desired(Deployment d) {
    // Kubernetes defaults an unset replica count to 1.
    Integer r = d.getSpec() == null ? null : d.getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  private static Map<String, String> annotations(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static int recorded(Map<String, String> ann, int fallback) {
    try {
      return Integer.parseInt(Objects.requireNonNull(ann.get(REPLICAS_ANNOTATION)));
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  /** Targets by name, for {@link #scaleBack}. */
  public static Map<String, Integer> byName(List<Replicas> list) {
    Map<String, Integer> m = new LinkedHashMap<>();
    if (list != null) {
      list.forEach(r -> m.put(r.name(), r.replicas()));
    }
    return m;
  }
}
