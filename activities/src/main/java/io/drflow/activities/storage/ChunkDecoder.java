package io.drflow.activities.storage;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;

/**
 * Turns one stored chunk back into raw dump bytes: its SHA-256 is checked against the chunk index
 * first, so nothing unverified is ever decompressed, let alone handed to PostgreSQL. Every path
 * that reads a backup (the file download and the streamed restore) goes through here, which keeps
 * per-chunk processing in one place.
 *
 * <p>Not thread-safe: one per worker thread (it holds a zstd context).
 */
final class ChunkDecoder implements AutoCloseable {

  private final String key;
  private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

  ChunkDecoder(String key) {
    this.key = key;
  }

  /** Throws unless {@code stored[offset, +length)} is chunk {@code i} of the index. */
  void verify(int i, ChunkIndex.Chunk c, byte[] stored, int offset, int length) {
    String sha = Sha256.hex(stored, offset, length);
    if (!sha.equals(c.sha256())) {
      throw new ChecksumMismatchException(
          key,
          "SHA-256 of chunk " + i + " (bytes " + c.storedOffset() + ".." + c.storedEnd() + ")",
          c.sha256(),
          sha);
    }
  }

  /** Decompresses a verified chunk into {@code raw} (direct, at position 0, rawLength bytes). */
  void decompress(int i, ChunkIndex.Chunk c, byte[] stored, int offset, int length, ByteBuffer raw) {
    int rawLength = Math.toIntExact(c.rawLength());
    int produced;
    try {
      produced = ctx.decompressByteArrayToDirectByteBuffer(raw, 0, rawLength, stored, offset, length);
    } catch (ZstdException e) {
      throw new ChecksumMismatchException(
          key, "chunk " + i + " is not a valid zstd frame: " + e.getMessage());
    }
    checkLength(i, rawLength, produced);
  }

  /** Decompresses a verified chunk into a new heap array of its raw length. */
  byte[] decompress(int i, ChunkIndex.Chunk c, byte[] stored, int offset, int length) {
    int rawLength = Math.toIntExact(c.rawLength());
    byte[] raw = new byte[rawLength];
    int produced;
    try {
      produced = ctx.decompressByteArray(raw, 0, rawLength, stored, offset, length);
    } catch (ZstdException e) {
      throw new ChecksumMismatchException(
          key, "chunk " + i + " is not a valid zstd frame: " + e.getMessage());
    }
    checkLength(i, rawLength, produced);
    return raw;
  }

  private void checkLength(int i, int rawLength, int produced) {
    if (produced != rawLength) {
      throw new ChecksumMismatchException(
          key, "raw length of chunk " + i, rawLength + " bytes", produced + " bytes");
    }
  }

  @Override
  public void close() {
    ctx.close();
  }
}
