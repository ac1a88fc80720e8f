package io.drflow.activities.config;

import java.util.List;

/**
 * Where a service's writers run: the Kubernetes Deployments a recovery scales to 0 before the
 * restore and back afterwards.
 *
 * <p>The cluster is reached one of three ways: {@code apiUrl} (with a bearer token read from the
 * environment variable {@code tokenEnv}), a {@code kubeconfig} file with an optional {@code
 * context}, or, with neither, the default kubeconfig ($KUBECONFIG, ~/.kube/config) or the pod's
 * service account when the worker runs in the cluster.
 *
 * @param caCertFile PEM file of the API server's CA, for {@code apiUrl}
 */
public record KubernetesConfig(
    String kubeconfig,
    String context,
    String apiUrl,
    String tokenEnv,
    String caCertFile,
    String namespace,
    List<String> deployments) {

  public KubernetesConfig {
    deployments = deployments == null ? List.of() : List.copyOf(deployments);
  }
}
