package io.drflow.workflows.activities;

import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * A service's regions and its DNS record, for failover and failback. Regions are named as in the
 * config; the activities resolve servers, clusters and the Route53 zone from it, so payloads hold
 * names only. Every write checks first and records what it changed, so a retry changes nothing twice.
 */
@ActivityInterface
public interface FailoverActivities {

  /**
   * @param to the region to serve from; null for a failback (the first configured region)
   * @param drill work on the drill record ({@code drill-<record>}) instead of the production one
   */
  record PlanRequest(String service, String to, boolean drill) {}

  /**
   * @param regions every configured region, in config order
   * @param server the target region's PostgreSQL {@code host:port}
   * @param kubernetes the target region has Deployments drflow scales
   * @param fromKubernetes the region being left has Deployments drflow may scale down
   * @param healthUrl the target region's health endpoint, or null (health check skipped)
   * @param record the record to switch ({@code drill-…} in a drill)
   * @param values region name to the record's value there (an alias described, for reports)
   * @param aliases region name to its alias target, for regions the record reaches through a
   *     Route53 alias; null in plans made before aliases were written
   */
  record FailoverPlan(
      String service,
      String to,
      List<String> regions,
      String server,
      boolean kubernetes,
      List<String> kubernetesRegions,
      String healthUrl,
      String record,
      String recordType,
      java.util.Map<String, String> values,
      java.util.Map<String, DnsAlias> aliases) {

    public FailoverPlan(String service, String to, List<String> regions, String server, boolean kubernetes,
        List<String> kubernetesRegions, String healthUrl, String record, String recordType,
        java.util.Map<String, String> values) {
      this(service, to, regions, server, kubernetes, kubernetesRegions, healthUrl, record, recordType, values, null);
    }

    /** The alias target of {@code region}, or null when the record holds a plain value there. */
    public DnsAlias alias(String region) {
      return aliases == null ? null : aliases.get(region);
    }
  }

  /**
   * A Route53 alias target (A and AAAA records).
   *
   * @param hostedZoneId the zone of the target (a load balancer's canonical zone)
   */
  record DnsAlias(String hostedZoneId, String dnsName, boolean evaluateTargetHealth) {}

  record RegionRequest(String service, String region) {}

  /**
   * @param runId the run that may have created the database (its comment names it)
   * @param drill a drill restores beside the database and never replaces it
   */
  record DatabaseRequest(String service, String region, String runId, boolean drill) {}

  /**
   * @param value the record's current value (an alias described); null when the record does not exist
   * @param alias the record's alias target when it is an alias record
   */
  record DnsState(boolean zoneExists, String zone, String record, String value, DnsAlias alias) {

    public DnsState(boolean zoneExists, String zone, String record, String value) {
      this(zoneExists, zone, record, value, null);
    }
  }

  /**
   * @param value the value to set (for an alias, its description); null with no alias deletes the
   *     record (drill clean-up)
   * @param runId lands in Route53's change comment
   * @param alias the alias target to set instead of a value
   */
  record DnsSetRequest(String service, boolean drill, String value, String runId, String why, DnsAlias alias) {

    public DnsSetRequest(String service, boolean drill, String value, String runId, String why) {
      this(service, drill, value, runId, why, null);
    }
  }

  /** @param changeId null when the record already held the value */
  record DnsChange(String record, String changeId, String previous, String current) {}

  record RegionScaleRequest(String service, String region, String runId) {}

  /** @param targets counts to restore; empty uses those this run recorded on the Deployments */
  record RegionScaleBackRequest(String service, String region, String runId, List<Replicas> targets) {}

  /** Renames {@code restored} to the service's database name on the region's server. */
  record PromoteRequest(String service, String region, String restored, String runId) {}

  /** Resolves the regions and the record; non-retryable {@code InvalidInput} for an unknown region. */
  @ActivityMethod(name = "PlanFailover")
  FailoverPlan plan(PlanRequest request);

  /** The region's Kubernetes API answers and the namespace and Deployments exist. */
  @ActivityMethod(name = "CheckRegionKubernetes")
  Check checkKubernetes(RegionRequest request);

  /**
   * The region's PostgreSQL server answers, and the service's database there is absent, empty or
   * created by this run (anything else would be replaced and is refused).
   */
  @ActivityMethod(name = "CheckRegionDatabase")
  Check checkDatabase(DatabaseRequest request);

  /** The hosted zone and the record, read from Route53. */
  @ActivityMethod(name = "ReadDnsRecord")
  DnsState readDns(PlanRequest request);

  /**
   * Sets the record to the value or alias (UPSERT, run id in the change comment), waits for INSYNC
   * heartbeating, and reads it back; nothing is sent when the record already holds it.
   */
  @ActivityMethod(name = "SetDnsRecord")
  DnsChange setDns(DnsSetRequest request);

  /** Scales the region's Deployments to their serving counts, recording the previous ones. */
  @ActivityMethod(name = "ScaleUpRegion")
  ScaleResult scaleUp(RegionScaleRequest request);

  /** Scales the region's Deployments to 0, recording the previous counts. */
  @ActivityMethod(name = "ScaleDownRegion")
  ScaleResult scaleDown(RegionScaleRequest request);

  /** Scales the region's Deployments back to their previous counts. Idempotent. */
  @ActivityMethod(name = "ScaleBackRegion")
  ScaleResult scaleBack(RegionScaleBackRequest request);

  /** Waits, heartbeating, until the region's Deployments have their replicas available. */
  @ActivityMethod(name = "AwaitRegionAvailable")
  List<Replicas> awaitAvailable(RegionRequest request);

  /** Polls the region's health URL until 2xx; non-retryable {@code HealthCheckFailed} after the deadline. */
  @ActivityMethod(name = "CheckRegionHealth")
  HealthResult checkHealth(RegionRequest request);

  /**
   * Renames the restored database to the service's database name; refuses (non-retryable
   * {@code DatabaseExists}) when a non-empty database this run did not create holds the name.
   * Idempotent. Returns what it did.
   */
  @ActivityMethod(name = "PromoteRestoredDatabase")
  String promote(PromoteRequest request);
}
