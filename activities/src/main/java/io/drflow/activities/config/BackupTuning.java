package io.drflow.activities.config;

/**
 * How the backup stream is cut and compressed. The dump is compressed in independent zstd frames
 * of {@code chunkMiB}, so compression runs on all cores and restores can fetch, verify and
 * decompress chunks in parallel.
 *
 * @param zstdLevel defaults to 1: on pg_dump output in 8 MiB frames it stored within 1% of level
 *     3 (and of {@code pg_dump -Z9}) for about 60% of level 3's CPU, which a backup shares with
 *     pg_dump and the database server
 * @param compressThreads 0 means one per CPU core
 */
public record BackupTuning(
    Integer chunkMiB,
    Integer zstdLevel,
    Integer compressThreads,
    Integer partMiB,
    Integer uploadConcurrency,
    Integer downloadConcurrency) {

  public BackupTuning {
    chunkMiB = chunkMiB == null ? 8 : chunkMiB;
    zstdLevel = zstdLevel == null ? 1 : zstdLevel;
    compressThreads = compressThreads == null ? 0 : compressThreads;
    partMiB = partMiB == null ? 16 : partMiB;
    uploadConcurrency = uploadConcurrency == null ? 4 : uploadConcurrency;
    downloadConcurrency = downloadConcurrency == null ? 4 : downloadConcurrency;
  }

  public static BackupTuning defaults() {
    return new BackupTuning(null, null, null, null, null, null);
  }

  public int effectiveCompressThreads() {
    return compressThreads > 0 ? compressThreads : Runtime.getRuntime().availableProcessors();
  }
}
