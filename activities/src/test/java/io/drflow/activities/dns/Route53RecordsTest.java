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

  private long recordSetCount() {
    List<String> names =
        client.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
            .filter(s -> s.type() == RRType.CNAME)
            .map(s -> s.name())
            .toList();
    return names.size();
  }
}
