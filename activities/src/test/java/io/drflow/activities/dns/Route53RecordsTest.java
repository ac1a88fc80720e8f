package io.drflow.activities.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.DnsConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;

class Route53RecordsTest {

  private static MotoServer moto;
  private static Route53Client client;
  private String zoneId;
  private DnsRecord record;
  private Route53Records records;
  private int ticks;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start();
    client = Route53Clients.create(new DnsConfig.Route53("Z1", moto.endpoint()));
  }

  @AfterAll
  static void stopMoto() {
    if (client != null) {
      client.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void zoneWithRecord() {
    String zone = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com.";
    zoneId =
        client.createHostedZone(r -> r.name(zone).callerReference(UUID.randomUUID().toString()))
            .hostedZone()
            .id()
            .replace("/hostedzone/", "");
    record = new DnsRecord(zoneId, "api." + zone, "CNAME", 60);
    client.changeResourceRecordSets(
        r ->
            r.hostedZoneId(zoneId)
                .changeBatch(
                    b ->
                        b.changes(
                            c ->
                                c.action(ChangeAction.CREATE)
                                    .resourceRecordSet(
                                        s ->
                                            s.name(record.name())
                                                .type(RRType.CNAME)
                                                .ttl(60L)
                                                .resourceRecords(v -> v.value("lb-east.shop.example.com"))))));
    records = new Route53Records(client, Clock.systemUTC(), Duration.ofMillis(50));
  }

  @Test
  void readinessSeesTheZoneAndTheRecordValue() {
    Route53Records.Readiness r = records.readiness(record);
    assertThat(r.zoneExists()).isTrue();
    assertThat(r.value()).isEqualTo("lb-east.shop.example.com");
    assertThat(records.readiness(new DnsRecord(zoneId, "nope." + record.name(), "CNAME", 60)).recordExists())
        .isFalse();
    assertThat(records.readiness(new DnsRecord("ZNOSUCHZONE", record.name(), "CNAME", 60)).zoneExists())
        .isFalse();
  }

  @Test
  void switchesOnceThenFindsItDoneAndRevertsOnCompensation() throws Exception {
    Route53Records.Switched first =
        records.upsert(record, "lb-west.shop.example.com", "drflow failover run r1", Duration.ofMinutes(1), () -> ticks++);
    assertThat(first.changed()).isTrue();
    assertThat(first.previous()).isEqualTo("lb-east.shop.example.com");
    assertThat(records.value(record)).contains("lb-west.shop.example.com");

    // A retried activity (the worker died after the change) finds the record switched.
    Route53Records.Switched again =
        records.upsert(record, "lb-west.shop.example.com.", "drflow failover run r1", Duration.ofMinutes(1), () -> ticks++);
    assertThat(again.changed()).isFalse();
    assertThat(again.current()).isEqualTo("lb-west.shop.example.com");

    Route53Records.Switched revert =
        records.upsert(record, first.previous(), "drflow failover run r1 rollback", Duration.ofMinutes(1), () -> ticks++);
    assertThat(revert.changed()).isTrue();
    assertThat(records.value(record)).contains("lb-east.shop.example.com");
    assertThat(recordSetCount()).isEqualTo(1);
  }

  @Test
  void aDrillRecordIsCreatedAndDeletedBesideProduction() throws Exception {
    DnsRecord drill = record.drill();
    assertThat(drill.name()).isEqualTo("drill-" + record.name());
    assertThat(records.value(drill)).isEmpty();
    Route53Records.Switched created =
        records.upsert(drill, "lb-west.shop.example.com", "drill", Duration.ofMinutes(1), () -> ticks++);
    assertThat(created.previous()).isNull();
    assertThat(records.value(record)).contains("lb-east.shop.example.com");
    assertThat(records.delete(drill, "drill done", Duration.ofMinutes(1), () -> ticks++)).isNotNull();
    assertThat(records.value(drill)).isEmpty();
    assertThat(records.delete(drill, "drill done", Duration.ofMinutes(1), () -> ticks++)).isNull();
    assertThat(records.value(record)).contains("lb-east.shop.example.com");
  }

  /** An A record reached through load balancer aliases, as a real failover switches it. */
  private DnsRecord aRecord(String value) {
    DnsRecord a = new DnsRecord(zoneId, "www." + record.name(), "A", 60);
    client.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(c -> c
        .action(ChangeAction.CREATE)
        .resourceRecordSet(s -> s.name(a.name()).type(RRType.A).ttl(60L).resourceRecords(v -> v.value(value))))));
    return a;
  }

  private static final DnsTarget EAST_LB =
      DnsTarget.alias("Z35SXDOTRQ7X7K", "lb-east-1234.us-east-1.elb.amazonaws.com", false);
  private static final DnsTarget WEST_LB =
      DnsTarget.alias("/hostedzone/Z1H1FL5HABSF5", "lb-west-5678.us-west-2.elb.amazonaws.com.", true);

  @Test
  void anAliasIsWrittenReadBackAndFoundDoneOnARetry() throws Exception {
    DnsRecord a = aRecord("203.0.113.10");

    Route53Records.Switched first = records.upsert(a, WEST_LB, "drflow failover run r1", Duration.ofMinutes(1), () -> ticks++);

    assertThat(first.changed()).isTrue();
    assertThat(first.before()).isEqualTo(DnsTarget.value("203.0.113.10"));
    var set = client.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
        .filter(s -> s.name().equals(a.name()) && s.type() == RRType.A).toList();
    assertThat(set).hasSize(1);
    assertThat(set.get(0).aliasTarget().dnsName()).isEqualTo("lb-west-5678.us-west-2.elb.amazonaws.com.");
    assertThat(set.get(0).aliasTarget().hostedZoneId()).endsWith("Z1H1FL5HABSF5");
    assertThat(set.get(0).aliasTarget().evaluateTargetHealth()).isTrue();
    assertThat(set.get(0).resourceRecords()).isEmpty();
    assertThat(records.target(a)).contains(WEST_LB);
    assertThat(records.readiness(a).value())
        .isEqualTo("ALIAS lb-west-5678.us-west-2.elb.amazonaws.com. (zone Z1H1FL5HABSF5, evaluate target health)");

    // Spelled differently (case, trailing dot, zone id prefix): still the same alias, nothing sent.
    DnsTarget same = DnsTarget.alias("z1h1fl5habsf5", "LB-WEST-5678.us-west-2.elb.amazonaws.com", true);
    assertThat(records.upsert(a, same, "drflow failover run r1", Duration.ofMinutes(1), () -> ticks++).changed()).isFalse();
    // The health flag is part of the alias: a different one is a change.
    assertThat(WEST_LB.sameAs(DnsTarget.alias("Z1H1FL5HABSF5", "lb-west-5678.us-west-2.elb.amazonaws.com", false))).isFalse();
  }

  @Test
  void compensationPutsBackThePreviousAliasOrValue() throws Exception {
    DnsRecord a = aRecord("203.0.113.10");
    records.upsert(a, EAST_LB, "set up", Duration.ofMinutes(1), () -> ticks++);

    Route53Records.Switched over = records.upsert(a, WEST_LB, "drflow failover run r1", Duration.ofMinutes(1), () -> ticks++);
    assertThat(over.before()).isEqualTo(EAST_LB);
    Route53Records.Switched back = records.upsert(a, over.before(), "roll back r1", Duration.ofMinutes(1), () -> ticks++);
    assertThat(back.changed()).isTrue();
    assertThat(records.target(a)).contains(EAST_LB);

    // From an alias to a plain address and back: one record set throughout.
    Route53Records.Switched plain = records.upsert(a, DnsTarget.value("198.51.100.7"), "r2", Duration.ofMinutes(1), () -> ticks++);
    assertThat(records.target(a)).contains(DnsTarget.value("198.51.100.7"));
    records.upsert(a, plain.before(), "roll back r2", Duration.ofMinutes(1), () -> ticks++);
    assertThat(records.target(a)).contains(EAST_LB);
    assertThat(client.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
        .filter(s -> s.name().equals(a.name())).count()).isEqualTo(1);
  }

  @Test
  void aDrillAliasRecordIsCreatedAndDeleted() throws Exception {
    DnsRecord drill = new DnsRecord(zoneId, "www." + record.name(), "A", 60).drill();
    records.upsert(drill, WEST_LB, "drill", Duration.ofMinutes(1), () -> ticks++);
    assertThat(records.target(drill)).contains(WEST_LB);
    assertThat(records.delete(drill, "drill done", Duration.ofMinutes(1), () -> ticks++)).isNotNull();
    assertThat(records.target(drill)).isEmpty();
  }

  private long recordSetCount() {
    List<String> names =
        client.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
            .filter(s -> s.type() == RRType.CNAME)
            .map(s -> s.name())
            .toList();
    return names.size();
  }
}
