package io.drflow.activities.dns;

import java.util.Locale;

/**
 * What a record points at: plain values (a CNAME target, an A or AAAA address) or a Route53 alias
 * (a load balancer, a CloudFront distribution, another record in the zone).
 *
 * @param value the record's value; null for an alias
 * @param alias the alias target; null for a plain value
 */
public record DnsTarget(String value, Alias alias) {

  /**
   * @param hostedZoneId the zone of the alias target (the load balancer's, not the record's)
   */
  public record Alias(String hostedZoneId, String dnsName, boolean evaluateTargetHealth) {

    public Alias {
      hostedZoneId = zoneId(hostedZoneId);
      dnsName = DnsRecord.fqdn(dnsName);
    }
  }

  public DnsTarget {
    if ((value == null) == (alias == null)) {
      throw new IllegalArgumentException("a DNS target is either a value or an alias");
    }
  }

  public static DnsTarget value(String value) {
    return new DnsTarget(value, null);
  }

  public static DnsTarget alias(String hostedZoneId, String dnsName, boolean evaluateTargetHealth) {
    return new DnsTarget(null, new Alias(hostedZoneId, dnsName, evaluateTargetHealth));
  }

  public boolean isAlias() {
    return alias != null;
  }

  /** For reports and change comments: the value, or {@code ALIAS <name> (zone <id>, ...)}. */
  public String describe() {
    if (alias == null) {
      return value;
    }
    return "ALIAS " + alias.dnsName() + " (zone " + alias.hostedZoneId()
        + (alias.evaluateTargetHealth() ? ", evaluate target health" : "") + ")";
  }

  /** As DNS compares: values without case and trailing dot; aliases by zone, name and health flag. */
  public boolean sameAs(DnsTarget other) {
    if (other == null || isAlias() != other.isAlias()) {
      return false;
    }
    return isAlias() ? alias.equals(other.alias()) : DnsRecord.fqdn(value).equals(DnsRecord.fqdn(other.value()));
  }

  /** Route53 answers zone ids with and without {@code /hostedzone/}. */
  static String zoneId(String id) {
    String z = id == null ? "" : id.strip();
    if (z.startsWith("/hostedzone/")) {
      z = z.substring("/hostedzone/".length());
    }
    return z.toUpperCase(Locale.ROOT);
  }
}
