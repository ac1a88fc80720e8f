package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverConfigTest {

  /** The shape issue 8 promises, as written there. */
  private static final String ISSUE_SHAPE = """
      services:
        shop:
          postgres: {host: db.internal, database: shop}
          rto: PT1H
          rpo: PT24H
          regions:
            primary: {postgres: {host: 10.0.0.5, port: 5432}, healthUrl: "https://east.shop.example/health",
                      kubernetes: {context: east, namespace: shop, deployments: {api: 3, worker: 2}}}
            dr:      {postgres: {host: 10.1.0.5, port: 5432}, healthUrl: "https://west.shop.example/health",
                      kubernetes: {context: west, namespace: shop, deployments: {api: 3, worker: 2}}}
          dns:
            route53: {hostedZoneId: Z0123456789, endpoint: "http://127.0.0.1:5000"}   # endpoint: tests only
            record: {name: api.shop.example.com., type: CNAME, ttl: 60}
            values: {primary: lb-east.shop.example.com, dr: lb-west.shop.example.com}
      """;

  private static String problems(String yaml) {
    try {
      ConfigLoader.parse(yaml, "drflow.yaml");
      return "";
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  @Test
  void theIssueShapeLoadsAsWritten() {
    ServiceConfig s = ConfigLoader.parse(ISSUE_SHAPE, "drflow.yaml").services().get("shop");
    assertThat(s.regions()).containsOnlyKeys("primary", "dr");
    RegionConfig dr = s.regions().get("dr");
    assertThat(dr.postgres().server()).isEqualTo("10.1.0.5:5432");
    assertThat(dr.postgres().user()).isEqualTo("postgres");
    assertThat(dr.healthUrl()).isEqualTo("https://west.shop.example/health");
    assertThat(dr.kubernetes().context()).isEqualTo("west");
    assertThat(dr.kubernetes().deployments()).containsExactly(Map.entry("api", 3), Map.entry("worker", 2));
    assertThat(dr.kubernetes().asKubernetesConfig().deployments()).containsExactly("api", "worker");
    assertThat(s.dns().route53().hostedZoneId()).isEqualTo("Z0123456789");
    assertThat(s.dns().route53().endpoint()).isEqualTo("http://127.0.0.1:5000");
    assertThat(s.dns().record().name()).isEqualTo("api.shop.example.com.");
    assertThat(s.dns().record().ttl()).isEqualTo(60L);
    assertThat(s.dns().values()).containsEntry("dr", DnsValue.of("lb-west.shop.example.com"));
  }

  @Test
  void aRegionWithoutKubernetesOrHealthUrlLoads() {
    String yaml =
        ISSUE_SHAPE.replaceAll(
            ", healthUrl: \"https://west[^\n]*\n\\s*kubernetes: \\{context: west[^\n]*", "}");
    ServiceConfig s = ConfigLoader.parse(yaml, "drflow.yaml").services().get("shop");
    assertThat(s.regions().get("dr").kubernetes()).isNull();
    assertThat(s.regions().get("dr").healthUrl()).isNull();
  }

  @Test
  void unknownKeysAreRefusedWithTheirPath() {
    assertThat(problems(ISSUE_SHAPE.replace("ttl: 60", "tll: 60")))
        .contains("services.shop.dns.record.tll: unknown key 'tll'");
    assertThat(problems(ISSUE_SHAPE.replace("healthUrl: \"https://east", "health: \"https://east")))
        .contains("services.shop.regions.primary.health: unknown key 'health'");
  }

  @Test
  void aValueForAnUnknownRegionIsRefused() {
    assertThat(problems(ISSUE_SHAPE.replace("dr: lb-west", "west: lb-west")))
        .contains("services.shop.dns.values.west: no region 'west' (regions: primary, dr)")
        .contains("services.shop.dns.values: has no value for region 'dr'");
  }

  @Test
  void badValuesAreNamed() {
    assertThat(problems(ISSUE_SHAPE.replace("type: CNAME", "type: MX")))
        .contains("services.shop.dns.record.type: 'MX' is not supported");
    assertThat(problems(ISSUE_SHAPE.replace("type: CNAME", "type: A")))
        .contains("services.shop.dns.values.primary: 'lb-east.shop.example.com' is not an IPv4 address");
    assertThat(problems(ISSUE_SHAPE.replace("worker: 2}}}\n    dns", "worker: 0}}}\n    dns")))
        .contains("services.shop.regions.dr.kubernetes.deployments.worker: the serving replica count must be at least 1");
    assertThat(problems(ISSUE_SHAPE.replace("hostedZoneId: Z0123456789", "hostedZoneId: zone one")))
        .contains("services.shop.dns.route53.hostedZoneId: 'zone one' is not a Route53 hosted zone id");
    assertThat(problems(ISSUE_SHAPE.replace("host: 10.1.0.5, ", "")))
        .contains("services.shop.regions.dr.postgres.host: is required");
    assertThat(problems(ISSUE_SHAPE.replace("namespace: shop, deployments: {api: 3, worker: 2}}}\n    dns",
            "namespace: Shop, deployments: {api: 3, worker: 2}}}\n    dns")))
        .contains("services.shop.regions.dr.kubernetes.namespace");
  }

  @Test
  void regionsAndDnsComeTogether() {
    String noDns = ISSUE_SHAPE.substring(0, ISSUE_SHAPE.indexOf("    dns:"));
    assertThat(problems(noDns)).contains("services.shop.dns: is required with regions");
  }

  @Test
  void servicesWithoutFailoverNeedNoKeys() {
    ServiceConfig s =
        ConfigLoader.parse(ISSUE_SHAPE.substring(0, ISSUE_SHAPE.indexOf("    regions:")), "drflow.yaml")
            .services().get("shop");
    assertThat(s.regions()).isEmpty();
    assertThat(s.dns()).isNull();
    assertThatThrownBy(() -> ConfigLoader.parse("services: {shop: {postgres: {host: h, database: d}, rto: PT1H, rpo: PT1H, dns: {}}}", "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dns needs at least two regions");
  }

  private static final String ALIAS_VALUES = """
            values:
              primary: {alias: {hostedZoneId: Z35SXDOTRQ7X7K, dnsName: lb-east-1234.us-east-1.elb.amazonaws.com, evaluateTargetHealth: true}}
              dr: {alias: {hostedZoneId: Z1H1FL5HABSF5, dnsName: lb-west-5678.us-west-2.elb.amazonaws.com}}
      """;

  private static String withAliases(String type) {
    return ISSUE_SHAPE
        .replace("type: CNAME", "type: " + type)
        .replace("      values: {primary: lb-east.shop.example.com, dr: lb-west.shop.example.com}\n", ALIAS_VALUES);
  }

  @Test
  void aliasTargetsLoadBesidePlainValues() {
    ServiceConfig s = ConfigLoader.parse(withAliases("A"), "drflow.yaml").services().get("shop");
    DnsValue primary = s.dns().values().get("primary");
    assertThat(primary.isAlias()).isTrue();
    assertThat(primary.alias()).isEqualTo(
        new DnsValue.Alias("Z35SXDOTRQ7X7K", "lb-east-1234.us-east-1.elb.amazonaws.com", true));
    assertThat(s.dns().values().get("dr").alias().evaluateTargetHealth()).isFalse();

    // One region by alias, the other by address.
    String mixed = withAliases("AAAA").replace(
        "dr: {alias: {hostedZoneId: Z1H1FL5HABSF5, dnsName: lb-west-5678.us-west-2.elb.amazonaws.com}}", "dr: \"2001:db8::7\"");
    ServiceConfig m = ConfigLoader.parse(mixed, "drflow.yaml").services().get("shop");
    assertThat(m.dns().values().get("dr")).isEqualTo(DnsValue.of("2001:db8::7"));
    assertThat(m.dns().values().get("primary").isAlias()).isTrue();
  }

  @Test
  void aliasMistakesAreNamed() {
    assertThat(problems(withAliases("CNAME")))
        .contains("services.shop.dns.values.primary.alias: alias targets are for A and AAAA records only (record.type is CNAME)")
        .contains("services.shop.dns.values.dr.alias: alias targets are for A and AAAA records only");
    assertThat(problems(withAliases("A").replace("hostedZoneId: Z1H1FL5HABSF5, ", "")))
        .contains("services.shop.dns.values.dr.alias.hostedZoneId: is required");
    assertThat(problems(withAliases("A").replace("hostedZoneId: Z1H1FL5HABSF5", "hostedZoneId: not a zone")))
        .contains("services.shop.dns.values.dr.alias.hostedZoneId: 'not a zone' is not a Route53 hosted zone id");
    assertThat(problems(withAliases("A").replace("dnsName: lb-west-5678.us-west-2.elb.amazonaws.com", "dnsName: \"lb west\"")))
        .contains("services.shop.dns.values.dr.alias.dnsName: 'lb west' is not a DNS name");
    assertThat(problems(withAliases("A").replace(", dnsName: lb-west-5678.us-west-2.elb.amazonaws.com", "")))
        .contains("services.shop.dns.values.dr.alias.dnsName: is required");
    assertThat(problems(withAliases("A").replace("{alias: {hostedZoneId: Z1H1FL5HABSF5", "{alias: {zone: Z1H1FL5HABSF5")))
        .contains("services.shop.dns.values.dr.alias.zone: unknown key 'zone'");
    assertThat(problems(withAliases("A").replace("dr: {alias:", "dr: {target:")))
        .contains("services.shop.dns.values.dr.target: unknown key 'target' (known: alias)");
  }
}
