package io.drflow.activities.storage;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.local.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Backups in a real S3Proxy for tests outside this package, cut into chunks of a chosen size. */
public final class StreamFixtures {

  private StreamFixtures() {}

  public static ObjectStore store(S3ProxyServer server) {
    StorageConfig config =
        new StorageConfig(server.endpoint(), null, "test-bucket", "drflow", true, "T_ACCESS", "T_SECRET", true);
    return ObjectStore.open(
        config,
        Secrets.withOverrides(Map.of("T_ACCESS", S3ProxyTestSupport.ACCESS, "T_SECRET", S3ProxyTestSupport.SECRET)),
        16);
  }

  public static S3ProxyServer s3proxy(Path dataDir) throws Exception {
    return S3ProxyServer.start(dataDir, 0, S3ProxyTestSupport.ACCESS, S3ProxyTestSupport.SECRET);
  }

  /** Uploads {@code file} as drflow's backups store a dump, showing it to {@code observer}. */
  public static Manifest.Dump upload(
      ObjectStore store, Path file, String key, int chunkBytes, RawObserver observer) throws IOException {
    return upload(store, file, key, chunkBytes, observer, null);
  }

  /** As above, each chunk sealed with {@code cipher} (null: plain). */
  public static Manifest.Dump upload(
      ObjectStore store, Path file, String key, int chunkBytes, RawObserver observer, ChunkCipher cipher)
      throws IOException {
    ChunkedUploader uploader =
        new ChunkedUploader(store, chunkBytes, 5 << 20, 1, 2, 3, Duration.ofMillis(200), Duration.ofMillis(50));
    try (InputStream in = Files.newInputStream(file)) {
      return uploader
          .upload(in, key, key + ".chunks.json", (raw, stored) -> {}, observer, cipher)
          .toManifestDump("custom");
    }
  }

  /** A cipher with a fixed test key. */
  public static ChunkCipher cipher(String backupId) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i * 7 + 1);
    }
    return ChunkCipher.create(BackupKeys.of(key).current().orElseThrow(), "svc", backupId);
  }
}
