package io.drflow.activities.storage;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Turns one stored chunk back into raw dump bytes: its SHA-256 is checked against the chunk index
 * first, so nothing unverified is ever decompressed, let alone handed to PostgreSQL. Every path
 * that streams a backup into a restore goes through here: verify, decrypt, decompress, in that
 * order. (The file download does the same steps in {@code ChunkedDownloader}.)
 *
 * <p>Not thread-safe: one per worker thread (it holds a zstd context).
 */
final class ChunkDecoder implements AutoCloseable {

  private final String key;
  private final ChunkCipher cipher;
  private final int chunkCount;
  private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
  private byte[] plain = new byte[0];

  /** @param cipher null for a plain backup; otherwise each chunk is opened before decompression */
  ChunkDecoder(String key, ChunkCipher cipher, int chunkCount) {
    this.key = key;
    this.cipher = cipher;
    this.chunkCount = chunkCount;
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

  /**
   * Decrypts (when the backup is encrypted: authenticated, {@link ChunkAuthenticationException}
   * otherwise) and decompresses a verified chunk into a new heap array of its raw length.
   */
  byte[] decompress(int i, ChunkIndex.Chunk c, byte[] stored, int offset, int length) {
    if (cipher != null) {
      if (plain.length < length) {
        plain = new byte[length];
      }
      length = cipher.open(key, ChunkCipher.Stream.DATA, i, i == chunkCount - 1, stored, offset, length, plain, 0);
      stored = plain;
      offset = 0;
    }
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
