package io.drflow.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.NotifyConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.runbook.NotifyActivitiesImpl;
import io.drflow.activities.runbook.ServiceRegistry;
import io.drflow.workflows.activities.NotifyActivities.Delivery;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class NotifierTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final NotifyConfig BOTH = new NotifyConfig("HOOK_URL", "SLACK_URL", null);

  WebhookReceiver receiver;
  final Map<String, String> env = new HashMap<>();
  Notifier notifier;
  ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver();
    env.put("HOOK_URL", receiver.url("/hook/T0001/s3cr3t-token"));
    env.put("SLACK_URL", receiver.url("/services/T000/B000/sl4ck-s3cr3t"));
    // Short waits between attempts: the retry logic, not the clock, is under test.
    notifier = new Notifier(Secrets.withOverrides(env), new HttpPoster(Duration.ofSeconds(5), 3, Duration.ofMillis(20)));
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Notifier.class)).addAppender(logs);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(Notifier.class)).detachAppender(logs);
    receiver.close();
  }

  static Notification atRisk() {
    return new Notification(
        "shop", "at-risk", "warning", "Restore drill of shop is at risk: Restore <over> budget & more",
        "drill-shop-20261122-031500", "run-1", "RestoreDrillWorkflow", "Restore", "AT_RISK", null);
  }

  @Test
  void genericAndSlackWebhooksReceiveTheirOwnShapeOfTheEvent() throws Exception {
    Delivery d = notifier.send(atRisk(), BOTH);

    assertThat(d.delivered()).isTrue();
    assertThat(d.detail()).contains("webhook: delivered (HTTP 200)").contains("slack: delivered (HTTP 200)");
    WebhookReceiver.Request hook = receiver.requests("/hook/T0001/s3cr3t-token").get(0);
    assertThat(hook.method()).isEqualTo("POST");
    assertThat(hook.contentType()).startsWith("application/json");
    JsonNode g = JSON.readTree(hook.body());
    assertThat(g.get("source").asText()).isEqualTo("drflow");
    assertThat(g.get("service").asText()).isEqualTo("shop");
    assertThat(g.get("event").asText()).isEqualTo("at-risk");
    assertThat(g.get("severity").asText()).isEqualTo("warning");
    assertThat(g.get("runbook").asText()).isEqualTo("RestoreDrillWorkflow");
    assertThat(g.get("phase").asText()).isEqualTo("Restore");
    assertThat(g.get("status").asText()).isEqualTo("AT_RISK");
    assertThat(g.get("workflowId").asText()).isEqualTo("drill-shop-20261122-031500");
    assertThat(g.get("runId").asText()).isEqualTo("run-1");
    assertThat(g.get("reportKey").isNull()).isTrue();
    assertThat(g.get("message").asText()).isEqualTo(atRisk().message());
    assertThat(g.get("text").asText()).isEqualTo("drflow warning [shop] " + atRisk().message());

    JsonNode s = JSON.readTree(receiver.requests("/services/T000/B000/sl4ck-s3cr3t").get(0).body());
    assertThat(s.get("text").asText()).isEqualTo("drflow: Restore drill of shop is at risk: Restore &lt;over&gt; budget &amp; more");
    JsonNode attachment = s.get("attachments").get(0);
    assertThat(attachment.get("color").asText()).isEqualTo("#d08700");
    assertThat(attachment.get("blocks").get(0).get("type").asText()).isEqualTo("section");
    assertThat(attachment.get("blocks").get(0).get("text").get("type").asText()).isEqualTo("mrkdwn");
    assertThat(attachment.get("blocks").get(0).get("text").get("text").asText())
        .isEqualTo(":large_orange_circle: *Restore drill of shop is at risk: Restore &lt;over&gt; budget &amp; more*");
    assertThat(attachment.get("blocks").get(1).get("elements").get(0).get("text").asText())
        .isEqualTo("`at-risk` · service `shop` · phase Restore · run `drill-shop-20261122-031500`");
  }

  @Test
  void serverErrorsAreRetriedAFewTimes() {
    receiver.answer("/hook/T0001/s3cr3t-token", 503, "busy", 2);

    Delivery d = notifier.send(atRisk(), new NotifyConfig("HOOK_URL"));

    assertThat(d.delivered()).isTrue();
    assertThat(receiver.requests("/hook/T0001/s3cr3t-token")).hasSize(3);
  }

  @Test
  void aWebhookThatKeepsFailingIsGivenUpWithALogLineThatKeepsItsUrlSecret() {
    receiver.answer("/hook/T0001/s3cr3t-token", 500, "down", 10);

    Delivery d = notifier.send(atRisk(), new NotifyConfig("HOOK_URL"));

    assertThat(d.delivered()).isFalse();
    assertThat(d.detail()).isEqualTo("webhook: not delivered after 3 attempt(s): HTTP 500 (down)");
    assertThat(receiver.requests("/hook/T0001/s3cr3t-token")).hasSize(3);
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("given up after 3 attempt(s)").contains("127.0.0.1"));
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t"));
  }

  @Test
  void aRejectedWebhookIsNotAskedAgain() {
    receiver.answer("/services/T000/B000/sl4ck-s3cr3t", 404, "no_service", 5);

    Delivery d = notifier.send(atRisk(), new NotifyConfig(null, "SLACK_URL", null));

    assertThat(d.delivered()).isFalse();
    assertThat(d.detail()).contains("after 1 attempt(s): HTTP 404 (no_service)");
    assertThat(receiver.requests("/services/T000/B000/sl4ck-s3cr3t")).hasSize(1);
  }

  @Test
  void oneChannelFailingDoesNotStopTheOther() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    env.put("HOOK_URL", "http://127.0.0.1:" + closed + "/hook");
    notifier = new Notifier(Secrets.withOverrides(env), new HttpPoster(Duration.ofSeconds(2), 2, Duration.ofMillis(10)));

    Delivery d = notifier.send(atRisk(), BOTH);

    assertThat(d.delivered()).isTrue();
    assertThat(d.detail()).contains("webhook: not delivered after 2 attempt(s): ConnectException").contains("slack: delivered");
  }

  @Test
  void anUnsetVariableOrAValueThatIsNoUrlIsLoggedNotThrown() {
    env.remove("HOOK_URL");
    env.put("SLACK_URL", "hooks.slack.com/no-scheme");
    notifier = new Notifier(Secrets.withOverrides(env), HttpPoster.standard());
    NotifyConfig config = new NotifyConfig("DRFLOW_TEST_UNSET_HOOK", "SLACK_URL", null);

    Delivery d = notifier.send(atRisk(), config);

    assertThat(d.delivered()).isFalse();
    assertThat(d.detail())
        .contains("environment variable DRFLOW_TEST_UNSET_HOOK is not set")
        .contains("slack: SLACK_URL does not hold an http(s) URL");
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("no-scheme"));
  }

  @Test
  void eventsOutsideTheConfiguredListAreOnlyLogged() {
    Delivery d = notifier.send(atRisk(), new NotifyConfig("HOOK_URL", null, List.of("completed", "failed")));

    assertThat(d.delivered()).isFalse();
    assertThat(receiver.requests("/hook/T0001/s3cr3t-token")).isEmpty();
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("[shop] at-risk: Restore drill"));
  }

  @Test
  void theActivityLooksUpTheServiceAndNeverFails() {
    NotifyActivitiesImpl activity =
        new NotifyActivitiesImpl(new ServiceRegistry(DrflowConfig.empty()), notifier);

    assertThat(activity.notify(atRisk())).isEqualTo(new Delivery(false, "no webhook configured"));
    assertThat(activity.notify(new Notification(null, "started", null, null, null, null)).delivered()).isFalse();
  }
}
