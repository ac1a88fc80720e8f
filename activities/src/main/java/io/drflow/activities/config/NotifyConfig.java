package io.drflow.activities.config;

import java.util.List;
import java.util.Set;

/**
 * Where a service's run events go besides the worker's log. Webhook URLs carry their own secret
 * (Slack, Teams, Mattermost), so the config names the environment variables that hold them.
 *
 * @param webhookUrlEnv variable with a URL that receives every event as a generic JSON POST
 * @param slackWebhookUrlEnv variable with a Slack (or Slack-compatible) incoming-webhook URL
 * @param events the events to send; absent means all of {@link #EVENTS}
 */
public record NotifyConfig(String webhookUrlEnv, String slackWebhookUrlEnv, List<String> events) {

  /** Events the runbooks emit; recovery and failover add their own (approval-requested, ...). */
  public static final List<String> EVENTS =
      List.of(
          "started",
          "at-risk",
          "breached",
          "approval-requested",
          "approval-reminder",
          "approved",
          "completed",
          "failed",
          "cancelled",
          "aborted",
          "swapped",
          "dns-switched",
          "rolled-back",
          "rollback-failed");

  public NotifyConfig {
    events = events == null ? null : List.copyOf(events);
  }

  /** A generic webhook only. */
  public NotifyConfig(String webhookUrlEnv) {
    this(webhookUrlEnv, null, null);
  }

  public boolean wants(String event) {
    return events == null || Set.copyOf(events).contains(event);
  }
}
