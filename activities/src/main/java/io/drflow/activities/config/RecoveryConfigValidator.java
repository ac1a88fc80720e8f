package io.drflow.activities.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks of the keys recoveries read: kubernetes, health, notifications, recovery. */
final class RecoveryConfigValidator {

  /** RFC 1123 labels: what Kubernetes accepts as namespace and Deployment names. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  static final Duration MAX_HEALTH_DEADLINE = Duration.ofHours(1);

  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private RecoveryConfigValidator() {}

  static void problems(String at, ServiceConfig svc, List<String> out) {
    if (svc.kubernetes() != null) {
      kubernetes(at + ".kubernetes", svc.kubernetes(), out);
    }
    if (svc.health() != null) {
      health(at + ".health", svc.health(), out);
    }
    if (svc.notifications() != null) {
      envName(at + ".notifications.webhookUrlEnv", svc.notifications().webhookUrlEnv(), true, out);
    }
    Duration reminder = svc.recovery().approvalReminder();
    if (reminder.isNegative() || reminder.compareTo(Duration.ofMinutes(1)) < 0) {
      out.add(at + ".recovery.approvalReminder: must be at least PT1M, got " + reminder);
    }
  }

  static void kubernetes(String at, KubernetesConfig k, List<String> out) {
    if (k.namespace() == null || !DNS_LABEL.matcher(k.namespace()).matches()) {
      out.add(at + ".namespace: is required, a Kubernetes namespace name (got '" + k.namespace() + "')");
    }
    if (k.deployments().isEmpty()) {
      out.add(at + ".deployments: list the Deployments that write to the database");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < k.deployments().size(); i++) {
      String d = k.deployments().get(i);
      if (d == null || d.length() > 253 || !DNS_SUBDOMAIN.matcher(d).matches()) {
        out.add(at + ".deployments[" + i + "]: '" + d + "' is not a Deployment name");
      } else if (!seen.add(d)) {
        out.add(at + ".deployments[" + i + "]: '" + d + "' is listed twice");
      }
    }
    if (k.apiUrl() != null) {
      httpUrl(at + ".apiUrl", k.apiUrl(), out);
      if (k.kubeconfig() != null || k.context() != null) {
        out.add(at + ": apiUrl excludes kubeconfig and context (use one way to reach the cluster)");
      }
      envName(at + ".tokenEnv", k.tokenEnv(), false, out);
    } else {
      if (k.tokenEnv() != null) {
        out.add(at + ".tokenEnv: only applies with apiUrl (a kubeconfig carries its own credentials)");
      }
      if (k.caCertFile() != null) {
        out.add(at + ".caCertFile: only applies with apiUrl");
      }
    }
  }

  private static void health(String at, HealthConfig h, List<String> out) {
    if (h.url() == null) {
      out.add(at + ".url: is required");
    } else {
      httpUrl(at + ".url", h.url(), out);
    }
    if (h.deadline().isNegative() || h.deadline().isZero()) {
      out.add(at + ".deadline: must be a positive duration, got " + h.deadline());
    } else if (h.deadline().compareTo(MAX_HEALTH_DEADLINE) > 0) {
      // The health check activity itself is given two hours.
      out.add(at + ".deadline: must be at most " + MAX_HEALTH_DEADLINE + ", got " + h.deadline());
    }
    if (h.interval().isNegative() || h.interval().isZero()) {
      out.add(at + ".interval: must be a positive duration, got " + h.interval());
    } else if (h.interval().compareTo(h.deadline()) > 0) {
      out.add(at + ".interval: is longer than the deadline " + h.deadline());
    }
  }

  static void httpUrl(String at, String url, List<String> out) {
    try {
      URI u = new URI(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        out.add(at + ": '" + url + "' is not an http(s) URL");
      }
    } catch (URISyntaxException e) {
      out.add(at + ": '" + url + "' is not a URL: " + e.getReason());
    }
  }

  private static void envName(String at, String name, boolean required, List<String> out) {
    if (name == null) {
      if (required) {
        out.add(at + ": is required (the name of an environment variable, not the value)");
      }
      return;
    }
    if (!ENV_NAME.matcher(name).matches()) {
      out.add(at + ": '" + name + "' is not an environment variable name; secrets are never written"
          + " into drflow.yaml, name the variable that holds them");
    }
  }
}
