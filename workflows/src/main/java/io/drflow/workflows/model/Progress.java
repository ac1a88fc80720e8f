package io.drflow.workflows.model;

import java.util.List;

/** What the {@code progress} query answers: the phase table and the RTO position right now. */
public record Progress(
    String runbook,
    String service,
    String rtoClockStartedAt,
    long rtoSeconds,
    long elapsedSeconds,
    long rtoRemainingSeconds,
    RtoStatus rtoStatus,
    List<Phase> phases) {}
