package io.drflow.workflows.backup;

/** Input of {@code BackupWorkflow}: {@code {"service":"shop"}}. */
public record BackupInput(String service) {}
