package io.drflow.activities.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DNS record that sends clients to the serving region, switched by failover and failback.
 * AWS credentials and region come from the AWS SDK's default provider chain, never from this file.
 *
 * @param values region name to what the record points at there: a value (a CNAME target, an A
 *     address, ...) or, for A and AAAA records, a Route53 alias
 */
public record DnsConfig(Route53 route53, Record record, Map<String, DnsValue> values) {

  public DnsConfig {
    values = values == null ? Map.of() : new LinkedHashMap<>(values);
  }

  /** Plain values only, as tests and examples write them. */
  public static DnsConfig ofValues(Route53 route53, Record record, Map<String, String> values) {
    Map<String, DnsValue> v = new LinkedHashMap<>();
    values.forEach((region, value) -> v.put(region, DnsValue.of(value)));
    return new DnsConfig(route53, record, v);
  }

  /** @param endpoint overrides the Route53 API endpoint; for tests against an emulator only */
  public record Route53(String hostedZoneId, String endpoint) {}

  /** @param ttl seconds (default 60: a failover should be seen soon) */
  public record Record(String name, String type, Long ttl) {

    public Record {
      type = type == null ? "CNAME" : type;
      ttl = ttl == null ? 60L : ttl;
    }
  }
}
