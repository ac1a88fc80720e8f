package io.drflow.activities.config;

/**
 * Settings of the worker process itself.
 *
 * @param workDir where downloads are decompressed for pg_restore (needs the dump's size free)
 * @param restoreJobs pg_restore {@code -j}; 0 means one per CPU core
 * @param pgBin directory of pg_dump/pg_restore/psql; absent means PATH, then the newest
 *     /usr/lib/postgresql/N/bin
 * @param hostId names this host's task queue ({@code drflow@<hostId>}); defaults to the hostname
 */
public record WorkerConfig(
    String workDir,
    Integer restoreJobs,
    String pgBin,
    String hostId,
    Integer maxConcurrentActivities,
    Integer shutdownGraceSeconds) {

  public WorkerConfig {
    workDir = workDir == null ? System.getProperty("java.io.tmpdir") + "/drflow-work" : workDir;
    restoreJobs = restoreJobs == null ? 0 : restoreJobs;
    maxConcurrentActivities = maxConcurrentActivities == null ? 20 : maxConcurrentActivities;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
  }

  public static WorkerConfig defaults() {
    return new WorkerConfig(null, null, null, null, null, null);
  }

  public int effectiveRestoreJobs() {
    return restoreJobs > 0 ? restoreJobs : Runtime.getRuntime().availableProcessors();
  }
}
