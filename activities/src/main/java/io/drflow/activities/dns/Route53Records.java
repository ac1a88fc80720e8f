package io.drflow.activities.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * Reads and switches one simple record in a Route53 hosted zone. Every write checks first, so a
 * retry after a crash finds the record already switched and changes nothing.
 */
public final class Route53Records {

  /** What readiness found: the zone's name when it exists, the record's value when it does. */
  public record Readiness(String zoneName, String value) {

    public boolean zoneExists() {
      return zoneName != null;
    }

    public boolean recordExists() {
      return value != null;
    }
  }

  /**
   * @param changeId the Route53 change, null when nothing had to change
   * @param previous the value before, null when the record did not exist
   */
  public record Switched(String changeId, String previous, String current) {

    public boolean changed() {
      return changeId != null;
    }
  }

  public static final class ChangeTimeoutException extends RuntimeException {
    public ChangeTimeoutException(String message) {
      super(message);
    }
  }

  private final Route53Client client;
  private final Clock clock;
  private final Duration poll;

  public Route53Records(Route53Client client, Clock clock, Duration poll) {
    this.client = client;
    this.clock = clock;
    this.poll = poll;
  }

  public Readiness readiness(DnsRecord record) {
    String zone;
    try {
      zone = client.getHostedZone(r -> r.id(record.hostedZoneId())).hostedZone().name();
    } catch (NoSuchHostedZoneException e) {
      return new Readiness(null, null);
    }
    return new Readiness(zone, value(record).orElse(null));
  }

  /** The record's single value; empty when the record does not exist. */
  public Optional<String> value(DnsRecord record) {
    return recordSet(record).map(Route53Records::single);
  }

  /**
   * Points the record at {@code value} (UPSERT), then waits for INSYNC and reads the record back.
   * When it already holds the value nothing is sent.
   *
   * @param comment lands in Route53's change history (the run id goes here)
   * @param tick called while waiting, to heartbeat
   */
  public Switched upsert(DnsRecord record, String value, String comment, Duration maxWait, Runnable tick)
      throws InterruptedException {
    Optional<String> before = value(record);
    if (before.isPresent() && sameValue(before.get(), value)) {
      return new Switched(null, before.get(), before.get());
    }
    ChangeInfo change = change(record, ChangeAction.UPSERT, value, comment);
    awaitInsync(change.id(), maxWait, tick);
    verify(record, value);
    return new Switched(change.id(), before.orElse(null), value);
  }

  /** Deletes the record when it holds {@code value}; absent is success (returns null). */
  public String delete(DnsRecord record, String comment, Duration maxWait, Runnable tick)
      throws InterruptedException {
    Optional<String> before = value(record);
    if (before.isEmpty()) {
      return null;
    }
    ChangeInfo change = change(record, ChangeAction.DELETE, before.get(), comment);
    awaitInsync(change.id(), maxWait, tick);
    return change.id();
  }

  private ChangeInfo change(DnsRecord record, ChangeAction action, String value, String comment) {
    ResourceRecordSet set =
        ResourceRecordSet.builder()
            .name(record.name())
            .type(RRType.fromValue(record.type()))
            .ttl(record.ttl())
            .resourceRecords(ResourceRecord.builder().value(value).build())
            .build();
    return client
        .changeResourceRecordSets(
            r ->
                r.hostedZoneId(record.hostedZoneId())
                    .changeBatch(
                        b ->
                            b.comment(comment)
                                .changes(Change.builder().action(action).resourceRecordSet(set).build())))
        .changeInfo();
  }

  /** Polls GetChange until Route53 reports the change on all its name servers. */
  public void awaitInsync(String changeId, Duration maxWait, Runnable tick) throws InterruptedException {
    Instant deadline = clock.instant().plus(maxWait);
    while (true) {
      ChangeStatus status = client.getChange(r -> r.id(changeId)).changeInfo().status();
      if (status == ChangeStatus.INSYNC) {
        return;
      }
      tick.run();
      if (clock.instant().isAfter(deadline)) {
        throw new ChangeTimeoutException(
            "Route53 change " + changeId + " is still " + status + " after " + maxWait);
      }
      Thread.sleep(poll.toMillis());
    }
  }

  private void verify(DnsRecord record, String value) {
    Optional<String> after = value(record);
    if (after.isEmpty() || !sameValue(after.get(), value)) {
      throw new IllegalStateException(
          "Route53 reports " + record.name() + " " + record.type() + " as " + after.orElse("absent")
              + " after the change to " + value);
    }
  }

  private Optional<ResourceRecordSet> recordSet(DnsRecord record) {
    List<ResourceRecordSet> sets =
        client
            .listResourceRecordSets(
                r ->
                    r.hostedZoneId(record.hostedZoneId())
                        .startRecordName(record.name())
                        .startRecordType(RRType.fromValue(record.type()))
                        .maxItems("1"))
            .resourceRecordSets();
    return sets.stream()
        .filter(s -> record.sameName(s.name()) && record.type().equals(s.typeAsString()))
        .findFirst();
  }

  private static String single(ResourceRecordSet set) {
    if (set.aliasTarget() != null) {
      return set.aliasTarget().dnsName();
    }
    return set.resourceRecords().isEmpty() ? null : set.resourceRecords().get(0).value();
  }

  /** CNAME targets compare without case and trailing dot, as DNS does. */
  static boolean sameValue(String a, String b) {
    return DnsRecord.fqdn(a).equals(DnsRecord.fqdn(b));
  }
}
