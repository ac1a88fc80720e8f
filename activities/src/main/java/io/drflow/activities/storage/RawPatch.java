package io.drflow.activities.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes of the raw file to rewrite after a download, recorded in the chunk index at backup time:
 * what a streamed dump could not go back and fill in itself (pg_dump's data offsets, see {@code
 * ArchiveOffsets}). The stored object stays exactly what the dump wrote; only the restored file
 * gets the patches, and only where it still holds {@code expected}.
 *
 * @param rawOffset where in the raw file
 * @param expected Base64 of the bytes that must be there
 * @param replacement Base64 of the bytes to write instead, of the same length
 */
public record RawPatch(long rawOffset, String expected, String replacement) {

  private static final Logger log = LoggerFactory.getLogger(RawPatch.class);

  public static RawPatch of(long rawOffset, byte[] expected, byte[] replacement) {
    return new RawPatch(
        rawOffset,
        Base64.getEncoder().encodeToString(expected),
        Base64.getEncoder().encodeToString(replacement));
  }

  byte[] expectedBytes() {
    return Base64.getDecoder().decode(expected);
  }

  byte[] replacementBytes() {
    return Base64.getDecoder().decode(replacement);
  }

  /** Why this patch cannot apply to a raw file of {@code rawBytes}, or null. */
  String problem(long rawBytes) {
    try {
      byte[] e = expectedBytes();
      byte[] r = replacementBytes();
      if (e.length != r.length || e.length == 0) {
        return "a raw patch must replace bytes with as many bytes";
      }
      if (rawOffset < 0 || rawOffset + e.length > rawBytes) {
        return "a raw patch lies outside the raw file";
      }
      return null;
    } catch (IllegalArgumentException | NullPointerException e) {
      return "a raw patch is not Base64";
    }
  }

  /**
   * Writes every patch, or none: when any position holds neither its expected bytes nor its
   * replacement, the file is not the one the patches describe, and it is left as it is (it
   * restores correctly either way; the patches only make it faster to restore).
   *
   * @return how many positions were written (patches already in place are not counted)
   */
  static int applyAll(FileChannel file, List<RawPatch> patches) throws IOException {
    List<RawPatch> todo = new ArrayList<>();
    for (RawPatch p : patches) {
      byte[] want = p.replacementBytes();
      ByteBuffer have = ByteBuffer.allocate(want.length);
      while (have.hasRemaining()) {
        if (file.read(have, p.rawOffset() + have.position()) < 0) {
          break;
        }
      }
      if (Arrays.equals(have.array(), want)) {
        continue;
      }
      if (!Arrays.equals(have.array(), p.expectedBytes())) {
        log.warn(
            "raw patch at byte {} does not match the downloaded file; leaving it unpatched",
            p.rawOffset());
        return 0;
      }
      todo.add(p);
    }
    for (RawPatch p : todo) {
      ByteBuffer b = ByteBuffer.wrap(p.replacementBytes());
      while (b.hasRemaining()) {
        file.write(b, p.rawOffset() + b.position());
      }
    }
    return todo.size();
  }
}
