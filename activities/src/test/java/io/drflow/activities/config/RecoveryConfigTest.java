package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecoveryConfigTest {

  private static final String BASE = """
      services:
        shop:
          postgres: {host: db.internal, database: shop}
          rto: PT1H
          rpo: PT24H
      """;

  private static DrflowConfig parse(String extra) {
    return ConfigLoader.parse(BASE + extra, "drflow.yaml");
  }

  @Test
  void readsEveryRecoveryKey() {
    DrflowConfig c = parse("""
            kubernetes:
              apiUrl: https://k8s.internal:6443
              tokenEnv: SHOP_K8S_TOKEN
              namespace: shop
              deployments: [shop-api, shop-worker]
            health:
              url: https://shop.internal/healthz
              deadline: PT10M
            notifications:
              webhookUrlEnv: SHOP_ONCALL_WEBHOOK
            recovery:
              approvalReminder: PT5M
            budgets:
              recovery:
                Restore: PT30M
        """);
    ServiceConfig s = c.services().get("shop");
    assertThat(s.kubernetes().deployments()).containsExactly("shop-api", "shop-worker");
    assertThat(s.kubernetes().tokenEnv()).isEqualTo("SHOP_K8S_TOKEN");
    assertThat(s.health().deadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.health().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.notifications().webhookUrlEnv()).isEqualTo("SHOP_ONCALL_WEBHOOK");
    assertThat(s.recovery().approvalReminder()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void defaultsNeedNoRecoveryKeys() {
    ServiceConfig s = parse("").services().get("shop");
    assertThat(s.kubernetes()).isNull();
    assertThat(s.health()).isNull();
    assertThat(s.recovery().approvalReminder()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aHealthDeadlineLongerThanTheCheckMayRunIsRefused() {
    assertThatThrownBy(() -> parse("""
            health:
              url: http://shop/healthz
              deadline: PT3H
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.shop.health.deadline: must be at most PT1H, got PT3H");
  }

  @Test
  void unknownKeysAreErrors() {
    assertThatThrownBy(() -> parse("""
            kubernetes:
              namespace: shop
              deployment: [shop-api]
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.shop.kubernetes.deployment: unknown key 'deployment' (known: apiUrl");
  }

  @Test
  void everyProblemIsNamedWithItsKey() {
    assertThatThrownBy(() -> parse("""
            kubernetes:
              apiUrl: k8s.internal
              kubeconfig: /etc/kube
              tokenEnv: "secret-token-value!"
              deployments: [Shop_API, shop-api, shop-api]
            health:
              url: ftp://shop/health
              deadline: PT1S
              interval: PT5S
            notifications: {}
            recovery:
              approvalReminder: PT10S
            budgets:
              recovery:
                Restor: PT1M
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
            "services.shop.kubernetes.namespace: is required, a Kubernetes namespace name (got 'null')",
            "services.shop.kubernetes.deployments[0]: 'Shop_API' is not a Deployment name",
            "services.shop.kubernetes.deployments[2]: 'shop-api' is listed twice",
            "services.shop.kubernetes.apiUrl: 'k8s.internal' is not an http(s) URL",
            "services.shop.kubernetes: apiUrl excludes kubeconfig and context (use one way to reach the cluster)",
            "services.shop.health.url: 'ftp://shop/health' is not an http(s) URL",
            "services.shop.health.interval: is longer than the deadline PT1S",
            "services.shop.notifications.webhookUrlEnv: is required (the name of an environment variable, not the value)",
            "services.shop.recovery.approvalReminder: must be at least PT1M, got PT10S"))
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).startsWith("services.shop.kubernetes.tokenEnv: 'secret-token-value!' is not an environment variable name"))
            .anySatisfy(p -> assertThat(p).startsWith("services.shop.budgets.recovery.Restor: unknown phase")));
  }
}
