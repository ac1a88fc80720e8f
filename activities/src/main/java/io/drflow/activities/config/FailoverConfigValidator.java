package io.drflow.activities.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks of the keys failover and failback read: regions and dns. */
final class FailoverConfigValidator {

  /** Region names appear in commands, reports and annotations: keep them plain. */
  static final Pattern REGION_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  static final Set<String> RECORD_TYPES = Set.of("A", "AAAA", "CNAME");

  private static final Pattern HOSTED_ZONE_ID = Pattern.compile("(/hostedzone/)?[A-Z0-9]{1,32}");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  private static final Pattern HOST_NAME =
      Pattern.compile("([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\\.?");

  private FailoverConfigValidator() {}

  static void problems(String at, ServiceConfig svc, List<String> out) {
    svc.regions().forEach((name, region) -> region(at + ".regions." + name, name, region, out));
    DnsConfig dns = svc.dns();
    if (dns == null) {
      if (!svc.regions().isEmpty()) {
        out.add(at + ".dns: is required with regions (failover switches the service's DNS record)");
      }
      return;
    }
    if (svc.regions().size() < 2) {
      out.add(at + ".regions: dns needs at least two regions to switch between (got "
          + svc.regions().size() + ")");
    }
    dns(at + ".dns", dns, svc.regions(), out);
  }

  private static void region(String at, String name, RegionConfig r, List<String> out) {
    if (!REGION_NAME.matcher(name).matches()) {
      out.add(at + ": region names are 1-40 characters of a-z, 0-9, '-' and '_'");
    }
    if (r == null) {
      out.add(at + ": is empty");
      return;
    }
    if (r.postgres() == null) {
      out.add(at + ".postgres: is required (the region's PostgreSQL server: {host, port})");
    } else {
      if (r.postgres().host() == null || r.postgres().host().isBlank()) {
        out.add(at + ".postgres.host: is required");
      }
      if (r.postgres().port() < 1 || r.postgres().port() > 65535) {
        out.add(at + ".postgres.port: must be between 1 and 65535");
      }
      if (r.postgres().user().isBlank()) {
        out.add(at + ".postgres.user: must not be empty");
      }
      if (r.postgres().passwordEnv() != null
          && !RecoveryConfigValidator.ENV_NAME.matcher(r.postgres().passwordEnv()).matches()) {
        out.add(at + ".postgres.passwordEnv: '" + r.postgres().passwordEnv()
            + "' is not an environment variable name (the password belongs in the variable)");
      }
    }
    if (r.healthUrl() != null) {
      RecoveryConfigValidator.httpUrl(at + ".healthUrl", r.healthUrl(), out);
    }
    RegionKubernetes k = r.kubernetes();
    if (k != null) {
      RecoveryConfigValidator.kubernetes(at + ".kubernetes", k.asKubernetesConfig(), out);
      k.deployments().forEach((d, n) -> {
        if (n == null || n < 1) {
          out.add(at + ".kubernetes.deployments." + d + ": the serving replica count must be at least 1"
              + " (got " + n + ")");
        }
      });
    }
  }

  private static void alias(String at, DnsValue.Alias a, String type, List<String> out) {
    if (!"A".equals(type) && !"AAAA".equals(type)) {
      out.add(at + ": alias targets are for A and AAAA records only (record.type is " + type
          + "); point a CNAME at a host name instead");
    }
    if (a.hostedZoneId() == null || a.hostedZoneId().isBlank()) {
      out.add(at + ".hostedZoneId: is required (the alias target's hosted zone, e.g. the load balancer's"
          + " canonical hosted zone id)");
    } else if (!HOSTED_ZONE_ID.matcher(a.hostedZoneId()).matches()) {
      out.add(at + ".hostedZoneId: '" + a.hostedZoneId() + "' is not a Route53 hosted zone id (like Z35SXDOTRQ7X7K)");
    }
    if (a.dnsName() == null || a.dnsName().isBlank()) {
      out.add(at + ".dnsName: is required (the alias target, e.g. lb-east-123.us-east-1.elb.amazonaws.com)");
    } else if (!HOST_NAME.matcher(a.dnsName()).matches()) {
      out.add(at + ".dnsName: '" + a.dnsName() + "' is not a DNS name");
    }
  }

  private static void dns(String at, DnsConfig dns, Map<String, RegionConfig> regions, List<String> out) {
    if (dns.route53() == null || dns.route53().hostedZoneId() == null) {
      out.add(at + ".route53.hostedZoneId: is required");
    } else if (!HOSTED_ZONE_ID.matcher(dns.route53().hostedZoneId()).matches()) {
      out.add(at + ".route53.hostedZoneId: '" + dns.route53().hostedZoneId()
          + "' is not a Route53 hosted zone id (like Z0123456789ABC)");
    }
    if (dns.route53() != null && dns.route53().endpoint() != null) {
      RecoveryConfigValidator.httpUrl(at + ".route53.endpoint", dns.route53().endpoint(), out);
    }
    DnsConfig.Record rec = dns.record();
    String type = "CNAME";
    if (rec == null || rec.name() == null || rec.name().isBlank()) {
      out.add(at + ".record.name: is required (the record failover switches, e.g. api.shop.example.com.)");
    } else {
      if (!HOST_NAME.matcher(rec.name()).matches()) {
        out.add(at + ".record.name: '" + rec.name() + "' is not a DNS name");
      }
      type = rec.type();
      if (!RECORD_TYPES.contains(type)) {
        out.add(at + ".record.type: '" + type + "' is not supported (known: A, AAAA, CNAME)");
      }
      if (rec.ttl() < 0 || rec.ttl() > 172_800) {
        out.add(at + ".record.ttl: must be between 0 and 172800 seconds, got " + rec.ttl());
      }
    }
    for (Map.Entry<String, DnsValue> v : dns.values().entrySet()) {
      String vat = at + ".values." + v.getKey();
      if (!regions.containsKey(v.getKey())) {
        out.add(vat + ": no region '" + v.getKey() + "' (regions: "
            + String.join(", ", regions.keySet()) + ")");
      }
      DnsValue dv = v.getValue();
      if (dv != null && dv.isAlias()) {
        alias(vat + ".alias", dv.alias(), type, out);
        continue;
      }
      String value = dv == null ? null : dv.value();
      if (value == null || value.isBlank()) {
        out.add(vat + ": must not be empty (a value, or {alias: {hostedZoneId: ..., dnsName: ...}} for A/AAAA)");
      } else if ("A".equals(type) && !IPV4.matcher(value).matches()) {
        out.add(vat + ": '" + value + "' is not an IPv4 address (record type A)");
      } else if ("CNAME".equals(type) && !HOST_NAME.matcher(value).matches()) {
        out.add(vat + ": '" + value + "' is not a host name (record type CNAME)");
      } else if ("AAAA".equals(type) && !value.contains(":")) {
        out.add(vat + ": '" + value + "' is not an IPv6 address (record type AAAA)");
      }
    }
    for (String region : regions.keySet()) {
      if (!dns.values().containsKey(region)) {
        out.add(at + ".values: has no value for region '" + region + "' (failover to it would have"
            + " nothing to point the record at)");
      }
    }
  }
}
