package io.drflow.activities.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * Reads and switches one simple record (plain values or an alias) in a Route53 hosted zone. Every write checks first, so a
 * retry after a crash finds the record already switched and changes nothing.
 */
public final class Route53Records {

  /** What readiness found: the zone's name when it exists, what the record points at when it does. */
  public record Readiness(String zoneName, DnsTarget target) {

    public boolean zoneExists() {
      return zoneName != null;
    }

    public boolean recordExists() {
      return target != null;
    }

    /** The value, or the alias described; null when the record does not exist. */
    public String value() {
      return target == null ? null : target.describe();
    }
  }

  /**
   * @param changeId the Route53 change, null when nothing had to change
   * @param before what the record pointed at, null when it did not exist
   */
  public record Switched(String changeId, DnsTarget before, DnsTarget after) {

    public boolean changed() {
      return changeId != null;
    }

    /** The value before (an alias described); null when the record did not exist. */
    public String previous() {
      return before == null ? null : before.describe();
    }

    public String current() {
      return after == null ? null : after.describe();
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
    return new Readiness(zone, target(record).orElse(null));
  }

  /** What the record points at; empty when the record does not exist. */
  public Optional<DnsTarget> target(DnsRecord record) {
    return recordSet(record).map(Route53Records::target);
  }

  /** The record's value, or its alias described; empty when the record does not exist. */
  public Optional<String> value(DnsRecord record) {
    return target(record).map(DnsTarget::describe);
  }

  /** Points the record at a plain value: see {@link #upsert(DnsRecord, DnsTarget, String, Duration, Runnable)}. */
  public Switched upsert(DnsRecord record, String value, String comment, Duration maxWait, Runnable tick)
      throws InterruptedException {
    return upsert(record, DnsTarget.value(value), comment, maxWait, tick);
  }

  /**
   * Points the record at {@code target} (UPSERT; a plain value replaces an alias and the other way
   * round), then waits for INSYNC and reads the record back. When it already points there nothing
   * is sent.
   *
   * @param comment lands in Route53's change history (the run id goes here)
   * @param tick called while waiting, to heartbeat
   */
  public Switched upsert(DnsRecord record, DnsTarget target, String comment, Duration maxWait, Runnable tick)
      throws InterruptedException {
    Optional<DnsTarget> before = target(record);
    if (before.isPresent() && before.get().sameAs(target)) {
      return new Switched(null, before.get(), before.get());
    }
    ChangeInfo change = change(record, ChangeAction.UPSERT, target, comment);
    awaitInsync(change.id(), maxWait, tick);
    verify(record, target);
    return new Switched(change.id(), before.orElse(null), target);
  }

  /** Deletes the record, whatever it points at; absent is success (returns null). */
  public String delete(DnsRecord record, String comment, Duration maxWait, Runnable tick)
      throws InterruptedException {
    Optional<DnsTarget> before = target(record);
    if (before.isEmpty()) {
      return null;
    }
    ChangeInfo change = change(record, ChangeAction.DELETE, before.get(), comment);
    awaitInsync(change.id(), maxWait, tick);
    return change.id();
  }

  private ChangeInfo change(DnsRecord record, ChangeAction action, DnsTarget target, String comment) {
    ResourceRecordSet.Builder set =
        ResourceRecordSet.builder().name(record.name()).type(RRType.fromValue(record.type()));
    if (target.isAlias()) {
      // An alias has no TTL of its own: Route53 uses the target's.
      set.aliasTarget(
          AliasTarget.builder()
              .hostedZoneId(target.alias().hostedZoneId())
              .dnsName(target.alias().dnsName())
              .evaluateTargetHealth(target.alias().evaluateTargetHealth())
              .build());
    } else {
      set.ttl(record.ttl()).resourceRecords(ResourceRecord.builder().value(target.value()).build());
    }
    return client
        .changeResourceRecordSets(
            r ->
                r.hostedZoneId(record.hostedZoneId())
                    .changeBatch(
                        b ->
                            b.comment(comment)
                                .changes(Change.builder().action(action).resourceRecordSet(set.build()).build())))
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

  private void verify(DnsRecord record, DnsTarget target) {
    Optional<DnsTarget> after = target(record);
    if (after.isEmpty() || !after.get().sameAs(target)) {
      throw new IllegalStateException(
          "Route53 reports " + record.name() + " " + record.type() + " as "
              + after.map(DnsTarget::describe).orElse("absent") + " after the change to " + target.describe());
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

  private static DnsTarget target(ResourceRecordSet set) {
    AliasTarget a = set.aliasTarget();
    if (a != null) {
      return DnsTarget.alias(a.hostedZoneId(), a.dnsName(), Boolean.TRUE.equals(a.evaluateTargetHealth()));
    }
    return set.resourceRecords().isEmpty() ? null : DnsTarget.value(set.resourceRecords().get(0).value());
  }
}
