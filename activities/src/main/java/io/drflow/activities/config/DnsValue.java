package io.drflow.activities.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the DNS record points at in one region: a plain value ({@code lb-east.shop.example.com},
 * {@code 203.0.113.10}) or, for A and AAAA records, a Route53 alias:
 *
 * <pre>{@code
 * values:
 *   primary: {alias: {hostedZoneId: Z35SXDOTRQ7X7K, dnsName: lb-east-1234.us-east-1.elb.amazonaws.com, evaluateTargetHealth: false}}
 *   dr: 203.0.113.10
 * }</pre>
 */
public record DnsValue(String value, Alias alias) {

  /**
   * @param hostedZoneId the hosted zone of the alias target (a load balancer's canonical zone, or
   *     the record's own zone for another record in it)
   * @param evaluateTargetHealth let Route53 skip the target when it is unhealthy (default false)
   */
  public record Alias(String hostedZoneId, String dnsName, Boolean evaluateTargetHealth) {

    public Alias {
      evaluateTargetHealth = evaluateTargetHealth != null && evaluateTargetHealth;
    }
  }

  /** The object form: {@code {alias: {...}}}. */
  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public DnsValue(@JsonProperty("alias") Alias alias) {
    this(null, alias);
  }

  /** The plain form: the value itself. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static DnsValue of(String value) {
    return new DnsValue(value, null);
  }

  public boolean isAlias() {
    return alias != null;
  }
}
