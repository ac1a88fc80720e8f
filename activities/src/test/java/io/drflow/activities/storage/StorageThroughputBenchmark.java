package io.drflow.activities.storage;

import static io.drflow.activities.storage.TestData.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.BackupTuning;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback throughput with the default tuning; too slow for every build, so it runs only with
 * {@code -Ddrflow.benchmark=true} (size in MiB via {@code -Ddrflow.benchmark.mib}).
 */
@EnabledIfSystemProperty(named = "drflow.benchmark", matches = "true")
class StorageThroughputBenchmark extends S3ProxyTestSupport {

  @TempDir Path tmp;

  @Test
  void compressibleDump() throws Exception {
    run("compressible", seed -> TestData.compressible(64 * MIB, seed));
  }

  @Test
  void incompressibleDump() throws Exception {
    run("random", seed -> TestData.random(64 * MIB, seed));
  }

  @Test
  void primitiveSpeeds() {
    byte[] text = TestData.compressible(64 * MIB, 3);
    try (var ctx = new com.github.luben.zstd.ZstdCompressCtx()) {
      ctx.setLevel(3).setChecksum(true);
      byte[] dst = new byte[(int) com.github.luben.zstd.Zstd.compressBound(8 * MIB)];
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        for (int off = 0; off < text.length; off += 8 * MIB) {
          ctx.compressByteArray(dst, 0, dst.length, text, off, 8 * MIB);
        }
        System.out.printf(
            "zstd -3 one thread, compressible text: %.0f MiB/s%n",
            64 / ((System.nanoTime() - t0) / 1e9));
      }
    }
    var savable = SHA256Digest.newInstance();
    System.out.println("SHA256Digest.newInstance() is " + savable.getClass().getName());
    byte[] data = TestData.random(64 * MIB, 1);
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      var jdk = Sha256.newDigest();
      for (int i = 0; i < 4; i++) {
        jdk.update(data);
      }
      jdk.digest();
      long t1 = System.nanoTime();
      SHA256Digest bc = new SHA256Digest();
      for (int i = 0; i < 4; i++) {
        bc.update(data, 0, data.length);
      }
      bc.doFinal(new byte[32], 0);
      long t2 = System.nanoTime();
      System.out.printf(
          "SHA-256 over 256 MiB: JDK %.0f MiB/s, BouncyCastle %.0f MiB/s%n",
          256 / ((t1 - t0) / 1e9), 256 / ((t2 - t1) / 1e9));
    }
  }

  private void run(String kind, IntFunction<byte[]> block) throws Exception {
    int mib = Integer.getInteger("drflow.benchmark.mib", 512);
    BackupTuning tuning = BackupTuning.defaults();
    String id = kind + "-" + System.nanoTime();
    BackupLayout layout = new BackupLayout("bench");
    byte[][] blocks = {block.apply(1), block.apply(2)};
    InputStream source = repeating(blocks, (long) mib * MIB);

    ChunkedUploader.Result up =
        new ChunkedUploader(store, tuning)
            .upload(
                source, layout.dataKey("svc", id), layout.chunkIndexKey("svc", id), (a, b) -> {});
    double upSeconds = java.time.Duration.between(up.startedAt(), up.endedAt()).toNanos() / 1e9;

    Path target = tmp.resolve("bench.raw");
    ChunkedDownloader.Result down =
        new ChunkedDownloader(store, tuning).download(up.toManifestDump("custom"), target);
    double downSeconds =
        java.time.Duration.between(down.startedAt(), down.endedAt()).toNanos() / 1e9;
    assertThat(Files.size(target)).isEqualTo((long) mib * MIB);

    System.out.printf(
        "%s %d MiB -> %.1f MiB stored (ratio %.2f), %d chunks, %d parts%n"
            + "  upload   %.2f s = %.0f MiB/s raw, %.0f MiB/s stored; busy: %s%n"
            + "  download %.2f s = %.0f MiB/s raw, %.0f MiB/s stored; busy: %s%n",
        kind,
        mib,
        up.storedBytes() / (double) MIB,
        up.rawBytes() / (double) up.storedBytes(),
        up.chunks().size(),
        up.parts(),
        upSeconds,
        mib / upSeconds,
        up.storedBytes() / (double) MIB / upSeconds,
        busy(up.stages()),
        downSeconds,
        mib / downSeconds,
        down.storedBytes() / (double) MIB / downSeconds,
        busy(down.stages()));
    store.deleteAll(store.listKeys(layout.backupDir("svc", id)));
  }

  private static String busy(java.util.List<StageTiming> stages) {
    StringBuilder sb = new StringBuilder();
    for (StageTiming s : stages) {
      sb.append(String.format("%s %.2fs ", s.stage(), s.busyNanos() / 1e9));
    }
    return sb.toString();
  }

  private static InputStream repeating(byte[][] blocks, long total) {
    return new InputStream() {
      private long pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= total) {
          return -1;
        }
        byte[] blk = blocks[(int) ((pos / blocks[0].length) % blocks.length)];
        int inBlock = (int) (pos % blk.length);
        int n = (int) Math.min(Math.min(len, blk.length - inBlock), total - pos);
        System.arraycopy(blk, inBlock, b, off, n);
        pos += n;
        return n;
      }
    };
  }
}
