package io.drflow.activities.dns;

import java.util.Locale;

/** A record failover switches: its hosted zone, fully qualified name, type and TTL. */
public record DnsRecord(String hostedZoneId, String name, String type, long ttl) {

  public DnsRecord {
    name = fqdn(name);
  }

  /** The drill twin of this record: {@code drill-api.shop.example.com.}. */
  public DnsRecord drill() {
    return new DnsRecord(hostedZoneId, "drill-" + name, type, ttl);
  }

  /** Route53 answers names lower-case with the trailing dot. */
  static String fqdn(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  boolean sameName(String other) {
    return other != null && fqdn(other).equals(name);
  }
}
