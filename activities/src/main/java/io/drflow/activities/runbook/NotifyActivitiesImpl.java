package io.drflow.activities.runbook;

import io.drflow.activities.config.NotifyConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.notify.HttpPoster;
import io.drflow.activities.notify.Notifier;
import io.drflow.workflows.activities.NotifyActivities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Run events to the log and the service's webhooks. Never fails the runbook. */
public final class NotifyActivitiesImpl implements NotifyActivities {

  private static final Logger log = LoggerFactory.getLogger(NotifyActivitiesImpl.class);

  private final ServiceRegistry services;
  private final Notifier notifier;

  public NotifyActivitiesImpl(ServiceRegistry services, Secrets secrets) {
    this(services, new Notifier(secrets, HttpPoster.standard()));
  }

  public NotifyActivitiesImpl(ServiceRegistry services, Notifier notifier) {
    this.services = services;
    this.notifier = notifier;
  }

  @Override
  public Delivery notify(Notification n) {
    try {
      ServiceConfig svc = n.service() == null ? null : services.config().services().get(n.service());
      NotifyConfig config = svc == null ? null : svc.notifications();
      return notifier.send(n, config);
    } catch (RuntimeException e) {
      // Whatever went wrong, the run goes on.
      log.warn("notification {} of {} failed: {}", n.event(), n.service(), e.toString());
      return new Delivery(false, e.toString());
    }
  }
}
