package io.drflow.activities.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kubernetes side of a region: how to reach the cluster (the same keys as a service's {@code
 * kubernetes} section) and the Deployments that serve the service with their serving replica
 * counts, which a failover scales the region's Deployments to.
 */
public record RegionKubernetes(
    String kubeconfig,
    String context,
    String apiUrl,
    String tokenEnv,
    String caCertFile,
    String namespace,
    Map<String, Integer> deployments) {

  public RegionKubernetes {
    deployments = deployments == null ? Map.of() : new LinkedHashMap<>(deployments);
  }

  /** The cluster access and Deployment names in the shape the Kubernetes adapters take. */
  public KubernetesConfig asKubernetesConfig() {
    return new KubernetesConfig(
        kubeconfig, context, apiUrl, tokenEnv, caCertFile, namespace, new ArrayList<>(deployments.keySet()));
  }
}
