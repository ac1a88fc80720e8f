package io.drflow.workflows.model;

import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import java.util.List;

/**
 * What a failover or failback did: the readiness checks, the DNS change, the Deployments it
 * scaled, approvals, and the rollback when it stopped.
 *
 * @param direction {@code failover} or {@code failback}
 * @param drill a rehearsal against the drill record; everything it changed was put back
 * @param record the DNS record switched ({@code drill-…} in a drill)
 * @param dnsChangeId the Route53 change id; null when the record already held the value
 * @param database where the DR data went ({@code db on host:port}), or why it was skipped
 * @param drScaledFrom the DR Deployments' replica counts before the scale-up
 * @param primaryScaleDown what the best-effort scale-down of the old region did
 */
public record FailoverDetails(
    String direction,
    boolean drill,
    String from,
    String to,
    String incidentStart,
    String record,
    String previousValue,
    String newValue,
    String dnsChangeId,
    List<Check> readiness,
    List<Approval> approvals,
    String database,
    List<Replicas> drScaledFrom,
    String primaryScaleDown,
    String healthCheck,
    String abortedBy,
    String abortReason,
    List<RollbackStep> rollback,
    List<String> warnings) {}
