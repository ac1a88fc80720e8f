package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  /** The shape the documentation promises, exactly as written there. */
  static final String DOCUMENTED =
      """
      services:
        shop:
          postgres: {host: 127.0.0.1, port: 5432, database: shop, user: postgres, passwordEnv: SHOP_PGPASSWORD}
          rto: PT1H
          rpo: PT24H
          drill:
            target: {host: 127.0.0.1, port: 5433, user: postgres, passwordEnv: DRILL_PGPASSWORD}
            assertions:
              - {name: customers exist, sql: "select count(*) > 0 from sales.customers"}
      """;

  @Test
  void documentedShapeLoads() {
    DrflowConfig c = ConfigLoader.parse(DOCUMENTED, "drflow.yaml");
    ServiceConfig shop = c.services().get("shop");
    assertThat(shop.rto()).isEqualTo(Duration.ofHours(1));
    assertThat(shop.rpo()).isEqualTo(Duration.ofHours(24));
    assertThat(shop.postgres().passwordEnv()).isEqualTo("SHOP_PGPASSWORD");
    assertThat(shop.drill().target().port()).isEqualTo(5433);
    assertThat(shop.drill().assertions()).extracting(DrillConfig.Assertion::name).containsExactly("customers exist");
    assertThat(c.temporal().target()).isEqualTo("127.0.0.1:7233");
    assertThat(c.temporal().taskQueue()).isEqualTo("drflow");
    assertThat(c.storage().endpoint()).isEqualTo(StorageConfig.EMBEDDED_ENDPOINT);
  }

  @Test
  void emptyFileMeansTheEmbeddedStack() {
    DrflowConfig c = ConfigLoader.parse("", "empty.yaml");
    assertThat(c.services()).isEmpty();
    assertThat(c.storage().bucket()).isEqualTo("drflow-backups");
  }

  @Test
  void malformedDurationIsRefusedWithItsPath() {
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rto: PT1H", "rto: 1 hour"), "f.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.shop.rto")
        .hasMessageContaining("'1 hour' is not an ISO-8601 duration");
  }

  @Test
  void negativeAndZeroDurationsAreRefused() {
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rto: PT1H", "rto: PT-5M"), "f"))
        .hasMessageContaining("services.shop.rto: must be a positive duration");
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rpo: PT24H", "rpo: PT0S"), "f"))
        .hasMessageContaining("services.shop.rpo: must be a positive duration");
  }

  @Test
  void missingRtoIsRequired() {
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("    rto: PT1H\n", ""), "f"))
        .hasMessageContaining("services.shop.rto: is required");
  }

  @Test
  void unknownKeyIsATypoNotADefault() {
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rpo: PT24H", "rpo: PT24H\n    retnetion: {daily: 3}"), "f"))
        .hasMessageContaining("unknown key 'retnetion'")
        .hasMessageContaining("retention");
  }

  @Test
  void drillTargetOnTheProductionServerIsRefusedUnlessAllowed() {
    String same = DOCUMENTED.replace("port: 5433", "port: 5432").replace("host: 127.0.0.1, port: 5432, user", "host: localhost, port: 5432, user");
    assertThatThrownBy(() -> ConfigLoader.parse(same, "f"))
        .hasMessageContaining("services.shop.drill.target: is the production server");
    DrflowConfig ok =
        ConfigLoader.parse(same.replace("    drill:\n", "    drill:\n      allowSourceServer: true\n"), "f");
    assertThat(ok.services().get("shop").drill().allowSourceServer()).isTrue();
  }

  @Test
  void restoresStreamUnlessTheFileIsAskedFor() {
    assertThat(ConfigLoader.parse(DOCUMENTED, "f").services().get("shop").drill().streams()).isTrue();
    DrflowConfig file =
        ConfigLoader.parse(DOCUMENTED.replace("    drill:\n", "    drill:\n      restoreMode: file\n"), "f");
    assertThat(file.services().get("shop").drill().streams()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.parse(
            DOCUMENTED.replace("    drill:\n", "    drill:\n      restoreMode: fifo\n"), "f"))
        .hasMessageContaining("services.shop.drill.restoreMode: 'fifo' is neither stream nor file");
  }

  @Test
  void serviceNamesThatCannotBeKeysAreRefused() {
    for (String bad : new String[] {"\"Shop\"", "\"x; drop database prod\"", "\"ünï\"", "\"a/b\"", "\"" + "a".repeat(41) + "\""}) {
      assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("  shop:", "  " + bad + ":"), "f"))
          .as(bad)
          .hasMessageContaining("service names are 1-40 characters");
    }
  }

  @Test
  void budgetsNameKnownRunbooksAndPhases() {
    String withBudgets = DOCUMENTED.replace("rpo: PT24H", "rpo: PT24H\n    budgets: {drill: {Restore: PT20M, Fetch: PT1M}}");
    assertThatThrownBy(() -> ConfigLoader.parse(withBudgets, "f"))
        .hasMessageContaining("services.shop.budgets.drill.Fetch: unknown phase");
    DrflowConfig c = ConfigLoader.parse(withBudgets.replace(", Fetch: PT1M", ""), "f");
    assertThat(c.services().get("shop").budgets().get("drill")).containsEntry("Restore", Duration.ofMinutes(20));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String broken = DOCUMENTED.replace("rto: PT1H", "rto: PT0S").replace("database: shop, ", "").replace("sql: \"select count(*) > 0 from sales.customers\"", "sql: \"\"");
    assertThatThrownBy(() -> ConfigLoader.parse(broken, "f"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.problems()).hasSize(3));
  }

  @Test
  void retentionMustKeepTheNewest() {
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rpo: PT24H", "rpo: PT24H\n    retention: {keepLast: 0}"), "f"))
        .hasMessageContaining("retention.keepLast: must be at least 1");
  }

  @Test
  void metricsAreServedOnLoopbackByDefault() {
    MetricsConfig m = ConfigLoader.parse(DOCUMENTED, "drflow.yaml").metrics();
    assertThat(m.enabled()).isTrue();
    assertThat(m.url()).isEqualTo("http://127.0.0.1:9464/metrics");
  }

  @Test
  void metricsSectionIsStrictAndValidated() {
    MetricsConfig m =
        ConfigLoader.parse("metrics: {host: 0.0.0.0, port: 9100, enabled: true}", "f").metrics();
    assertThat(m.url()).isEqualTo("http://0.0.0.0:9100/metrics");
    assertThat(ConfigLoader.parse("metrics: {enabled: false}", "f").metrics().enabled()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.parse("metrics: {prot: 9100}", "f"))
        .hasMessageContaining("metrics.prot: unknown key 'prot' (known: enabled, host, port)");
    assertThatThrownBy(() -> ConfigLoader.parse("metrics: {port: 70000, host: ''}", "f"))
        .hasMessageContaining("metrics.port: must be between 0 (any free port) and 65535")
        .hasMessageContaining("metrics.host: must not be empty");
  }

  @Test
  void notificationsNameEnvironmentVariablesAndKnownEvents() {
    DrflowConfig c =
        ConfigLoader.parse(
            DOCUMENTED.replace(
                "rpo: PT24H",
                "rpo: PT24H\n    notifications: {webhookUrlEnv: SHOP_WEBHOOK_URL, slackWebhookUrlEnv: SHOP_SLACK_URL,"
                    + " events: [started, breached, failed]}"),
            "f");
    NotifyConfig n = c.services().get("shop").notifications();
    assertThat(n.webhookUrlEnv()).isEqualTo("SHOP_WEBHOOK_URL");
    assertThat(n.slackWebhookUrlEnv()).isEqualTo("SHOP_SLACK_URL");
    assertThat(n.wants("breached")).isTrue();
    assertThat(n.wants("completed")).isFalse();
    assertThat(ConfigLoader.parse(DOCUMENTED, "f").services().get("shop").notifications()).isNull();

    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    DOCUMENTED.replace(
                        "rpo: PT24H",
                        "rpo: PT24H\n    notifications: {slackWebhookUrlEnv: 'https://hooks.slack.com/services/T/B/x', events: [done]}"),
                    "f"))
        .hasMessageContaining("services.shop.notifications.slackWebhookUrlEnv: 'https://hooks.slack.com/services/T/B/x' is not an environment variable name")
        .hasMessageContaining("services.shop.notifications.events: unknown event 'done'");
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rpo: PT24H", "rpo: PT24H\n    notifications: {}"), "f"))
        .hasMessageContaining("services.shop.notifications: names no webhook");
    assertThatThrownBy(() -> ConfigLoader.parse(DOCUMENTED.replace("rpo: PT24H", "rpo: PT24H\n    notifications: {slack: X}"), "f"))
        .hasMessageContaining("unknown key 'slack' (known: events, slackWebhookUrlEnv, webhookUrlEnv)");
  }
}
