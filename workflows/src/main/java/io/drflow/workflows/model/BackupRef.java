package io.drflow.workflows.model;

/**
 * A backup as its manifest describes it. Only keys and figures travel in workflow payloads; the
 * dump itself stays in object storage.
 *
 * @param key the data object's key (what users pass as {@code --backup})
 * @param createdAt snapshot time, ISO-8601: the point in time the backup restores to
 */
public record BackupRef(
    String service,
    String backupId,
    String key,
    String manifestKey,
    String createdAt,
    long createdAtMillis,
    String sha256,
    long storedBytes,
    long dumpBytes,
    int tables,
    long rows,
    String format,
    String compression,
    String serverVersion) {}
