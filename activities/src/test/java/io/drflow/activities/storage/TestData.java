package io.drflow.activities.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Test inputs and helpers shared by the storage tests. */
final class TestData {

  static final int KIB = 1 << 10;
  static final int MIB = 1 << 20;

  private TestData() {}

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Rows of a COPY-like text stream: compresses several-fold, like a real dump. */
  static byte[] compressible(int size, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(size + 200);
    long id = 1;
    while (sb.length() < size) {
      sb.append(id++)
          .append('\t')
          .append("customer_")
          .append(r.nextInt(5000))
          .append('\t')
          .append(2020 + r.nextInt(7))
          .append("-0")
          .append(1 + r.nextInt(9))
          .append("-1")
          .append(r.nextInt(10))
          .append('\t')
          .append(r.nextInt(1_000_000) / 100.0)
          .append("\tstatus_")
          .append(r.nextBoolean() ? "open" : "closed")
          .append('\n');
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.US_ASCII);
    return java.util.Arrays.copyOf(all, size);
  }

  /** Alternating compressible and random blocks, so frames of very different ratios mix. */
  static byte[] mixed(int size, long seed) {
    byte[] out = new byte[size];
    int block = 3 * MIB + 12345;
    for (int off = 0, i = 0; off < size; off += block, i++) {
      int n = Math.min(block, size - off);
      byte[] part = i % 2 == 0 ? compressible(n, seed + i) : random(n, seed + i);
      System.arraycopy(part, 0, out, off, n);
    }
    return out;
  }

  static String sha256(byte[] data) {
    return Sha256.hex(data);
  }

  static String sha256(Path file) throws IOException {
    var d = Sha256.newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** Decodes {@code compressed} with the zstd command line tool, as an operator would. */
  static byte[] zstdCli(Path compressed) throws IOException, InterruptedException {
    Path out = compressed.resolveSibling(compressed.getFileName() + ".raw");
    Process p =
        new ProcessBuilder(
                List.of("zstd", "-d", "-q", "-f", compressed.toString(), "-o", out.toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("zstd -d failed: " + output);
    }
    byte[] raw = Files.readAllBytes(out);
    Files.delete(out);
    return raw;
  }

  /** An endless input that yields slowly, like pg_dump waiting on a lock. */
  static InputStream slow(int bytesPerRead, long sleepMillis) {
    return new InputStream() {
      private volatile boolean closed;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
          throw new IOException("closed");
        }
        try {
          Thread.sleep(sleepMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        int n = Math.min(len, bytesPerRead);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        return n;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  /** Yields {@code good} bytes, then fails, like a pg_dump that died mid-stream. */
  static InputStream failingAfter(byte[] good) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() throws IOException {
        if (pos >= good.length) {
          throw new IOException("pg_dump died");
        }
        return good[pos++] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= good.length) {
          throw new IOException("pg_dump died");
        }
        int n = Math.min(len, good.length - pos);
        System.arraycopy(good, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }
}
