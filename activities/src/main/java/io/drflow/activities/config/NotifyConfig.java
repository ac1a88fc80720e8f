package io.drflow.activities.config;

/**
 * Where run events go besides the worker's log. Webhook URLs often carry their own secret (Slack,
 * Teams, Mattermost), so the config names the environment variable that holds the URL.
 *
 * @param webhookUrlEnv environment variable with the URL events are POSTed to as JSON
 */
public record NotifyConfig(String webhookUrlEnv) {}
