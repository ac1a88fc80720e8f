package io.drflow.workflows.model;

/**
 * One row of a run's phase table, as returned by the {@code progress} query and kept in reports.
 * Times are ISO-8601 instants; {@code seconds} is the elapsed time so far for a running phase.
 *
 * @param pipelined phases that run concurrently as one stream (dump, compress, checksum, upload)
 *     share one window and are marked so that nobody adds their durations up
 */
public record Phase(
    String name,
    long budgetSeconds,
    String startedAt,
    String endedAt,
    double seconds,
    PhaseStatus status,
    boolean overBudget,
    boolean pipelined,
    String note) {}
