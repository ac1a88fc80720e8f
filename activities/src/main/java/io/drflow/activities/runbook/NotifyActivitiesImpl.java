package io.drflow.activities.runbook;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.notify.WebhookNotifier;
import io.drflow.workflows.activities.NotifyActivities;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Run events to the log and the service's webhook. Never fails the runbook. */
public final class NotifyActivitiesImpl implements NotifyActivities {

  private static final Logger log = LoggerFactory.getLogger(NotifyActivitiesImpl.class);

  private final ServiceRegistry services;
  private final Secrets secrets;
  private final WebhookNotifier notifier = new WebhookNotifier(Duration.ofSeconds(10));

  public NotifyActivitiesImpl(ServiceRegistry services, Secrets secrets) {
    this.services = services;
    this.secrets = secrets;
  }

  @Override
  public Delivery notify(Notification n) {
    WebhookNotifier.Event event =
        new WebhookNotifier.Event(n.service(), n.event(), n.severity(), n.message(), n.workflowId(), n.runId());
    URI webhook = null;
    String problem = null;
    try {
      webhook = webhook(n.service());
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    WebhookNotifier.Result r = notifier.send(event, webhook);
    if (problem != null) {
      log.warn("notification of {} not posted: {}", n.service(), problem);
      return new Delivery(false, problem);
    }
    return new Delivery(r.delivered(), r.detail());
  }

  private URI webhook(String service) {
    ServiceConfig svc = services.config().services().get(service);
    if (svc == null || svc.notifications() == null) {
      return null;
    }
    return secrets.optional(svc.notifications().webhookUrlEnv()).map(URI::create).orElse(null);
  }
}
