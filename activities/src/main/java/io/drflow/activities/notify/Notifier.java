package io.drflow.activities.notify;

import io.drflow.activities.config.NotifyConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.workflows.activities.NotifyActivities.Delivery;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a run event and posts it to the service's webhooks (generic JSON and Slack) at the same
 * time. Never throws: every problem — an unset variable, a bad URL, a webhook that keeps failing —
 * ends as a log line and an undelivered result. Log lines name a webhook's host only: its URL is
 * a secret.
 */
public final class Notifier {

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private record Channel(String name, String env, Function<Notification, String> body) {}

  private record Sent(boolean delivered, String detail) {}

  private final Secrets secrets;
  private final HttpPoster poster;

  public Notifier(Secrets secrets, HttpPoster poster) {
    this.secrets = secrets;
    this.poster = poster;
  }

  /** @param config the service's notifications section; null logs only */
  public Delivery send(Notification n, NotifyConfig config) {
    String line = "[" + n.service() + "] " + n.event() + ": " + n.message() + " (" + n.workflowId() + ")";
    switch (n.severity() == null ? "info" : n.severity()) {
      case "critical" -> log.error(line);
      case "warning" -> log.warn(line);
      default -> log.info(line);
    }
    if (config == null) {
      return new Delivery(false, "no webhook configured");
    }
    if (!config.wants(n.event())) {
      return new Delivery(false, "event " + n.event() + " is not among notifications.events");
    }
    List<Channel> channels = new ArrayList<>();
    if (config.webhookUrlEnv() != null) {
      channels.add(new Channel("webhook", config.webhookUrlEnv(), NotificationMessages::generic));
    }
    if (config.slackWebhookUrlEnv() != null) {
      channels.add(new Channel("slack", config.slackWebhookUrlEnv(), NotificationMessages::slack));
    }
    List<String> details = new ArrayList<>();
    boolean any = false;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Sent>> results = new ArrayList<>();
      for (Channel c : channels) {
        results.add(pool.submit(() -> deliver(c, n)));
      }
      for (Future<Sent> f : results) {
        Sent sent;
        try {
          sent = f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          sent = new Sent(false, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
          sent = new Sent(false, String.valueOf(e.getCause()));
        }
        any |= sent.delivered();
        details.add(sent.detail());
      }
    }
    return new Delivery(any, String.join("; ", details));
  }

  private Sent deliver(Channel c, Notification n) {
    String url;
    try {
      url = secrets.optional(c.env()).orElse(null);
    } catch (Secrets.MissingSecretException e) {
      log.warn("{} notification of {} not sent: {}", c.name(), n.service(), e.getMessage());
      return new Sent(false, c.name() + ": " + e.getMessage());
    }
    URI uri;
    try {
      uri = URI.create(url.strip());
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
    } catch (RuntimeException e) {
      log.warn("{} notification of {} not sent: {} does not hold an http(s) URL", c.name(), n.service(), c.env());
      return new Sent(false, c.name() + ": " + c.env() + " does not hold an http(s) URL");
    }
    HttpPoster.Outcome o = poster.post(uri, c.body().apply(n));
    if (o.delivered()) {
      return new Sent(true, c.name() + ": delivered (" + o.detail() + ")");
    }
    log.warn(
        "{} notification {} of {} to {} given up after {} attempt(s): {}",
        c.name(), n.event(), n.service(), uri.getHost(), o.attempts(), o.detail());
    return new Sent(false, c.name() + ": not delivered after " + o.attempts() + " attempt(s): " + o.detail());
  }
}
