package io.drflow.activities.kubernetes;

import io.drflow.activities.config.KubernetesConfig;
import io.drflow.activities.config.Secrets;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Kubernetes client per service, built from its config on first use and kept: a client owns
 * an HTTP connection pool, which would be wasted per call. The bearer token is read from the
 * environment when the client is built and lives only in this process.
 */
public final class KubernetesClients implements AutoCloseable {

  private final Secrets secrets;
  private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

  public KubernetesClients(Secrets secrets) {
    this.secrets = secrets;
  }

  public KubernetesClient forService(String service, KubernetesConfig config) {
    return clients.computeIfAbsent(service, s -> new KubernetesClientBuilder().withConfig(config(config)).build());
  }

  /** The client configuration: explicit API URL, a kubeconfig file, or the environment's default. */
  Config config(KubernetesConfig k) {
    Config c;
    if (k.apiUrl() != null) {
      ConfigBuilder b =
          new ConfigBuilder(Config.empty())
              .withMasterUrl(k.apiUrl())
              .withNamespace(k.namespace());
      secrets.optional(k.tokenEnv()).ifPresent(b::withOauthToken);
      if (k.caCertFile() != null) {
        b.withCaCertFile(k.caCertFile());
      }
      c = b.build();
    } else if (k.kubeconfig() != null) {
      File file = new File(expandHome(k.kubeconfig()));
      if (!file.isFile()) {
        throw new IllegalArgumentException("kubeconfig " + file + " does not exist");
      }
      c = Config.fromKubeconfig(k.context(), file);
    } else {
      c = Config.autoConfigure(k.context());
    }
    c.setNamespace(k.namespace());
    // A responder waits on these calls; fail fast and let the activity retry instead.
    c.setConnectionTimeout((int) Duration.ofSeconds(10).toMillis());
    c.setRequestTimeout((int) Duration.ofSeconds(30).toMillis());
    return c;
  }

  private static String expandHome(String path) {
    return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
  }

  @Override
  public void close() {
    clients.values().forEach(KubernetesClient::close);
    clients.clear();
  }
}
