package io.drflow.activities.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The {@code chunks.json} beside a data object: where each independently compressed zstd frame lies
 * in the object and in the raw dump, and its SHA-256. It is what lets a restore fetch, verify and
 * decompress chunks in parallel, and resume after an interruption.
 *
 * @param rawPatches bytes to rewrite in the downloaded raw file (empty in indexes written before
 *     drflow recorded them): see {@link RawPatch}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkIndex(
    String format,
    String compression,
    long chunkBytes,
    long storedBytes,
    long rawBytes,
    List<Chunk> chunks,
    List<RawPatch> rawPatches) {

  public static final String FORMAT = "drflow-chunks/1";

  public ChunkIndex {
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
    rawPatches = rawPatches == null ? List.of() : List.copyOf(rawPatches);
  }

  public ChunkIndex(
      String format,
      String compression,
      long chunkBytes,
      long storedBytes,
      long rawBytes,
      List<Chunk> chunks) {
    this(format, compression, chunkBytes, storedBytes, rawBytes, chunks, List.of());
  }

  /** One zstd frame: bytes [storedOffset, +storedLength) of the object decode to raw bytes. */
  public record Chunk(
      long storedOffset, long storedLength, long rawOffset, long rawLength, String sha256) {

    public long storedEnd() {
      return storedOffset + storedLength;
    }

    public long rawEnd() {
      return rawOffset + rawLength;
    }
  }

  /**
   * Why this index cannot describe a contiguous object of {@code storedBytes} decoding to {@code
   * rawBytes}, or null when it can. Checked before trusting any offset in it.
   */
  public String inconsistency(long expectedStoredBytes, long expectedRawBytes) {
    if (!FORMAT.equals(format)) {
      return "unknown chunk index format '" + format + "' (expected " + FORMAT + ")";
    }
    long stored = 0;
    long raw = 0;
    for (int i = 0; i < chunks.size(); i++) {
      Chunk c = chunks.get(i);
      if (c.storedOffset() != stored || c.rawOffset() != raw) {
        return "chunk " + i + " does not start where chunk " + (i - 1) + " ended";
      }
      if (c.storedLength() <= 0 || c.rawLength() < 0 || c.sha256() == null) {
        return "chunk " + i + " has an invalid length or no checksum";
      }
      if (c.storedLength() > Integer.MAX_VALUE - 64 || c.rawLength() > Integer.MAX_VALUE - 64) {
        return "chunk " + i + " is larger than a chunk can be";
      }
      stored += c.storedLength();
      raw += c.rawLength();
    }
    if (stored != storedBytes || raw != rawBytes) {
      return "chunks add up to "
          + stored
          + " stored / "
          + raw
          + " raw bytes but the index says "
          + storedBytes
          + " / "
          + rawBytes;
    }
    for (RawPatch p : rawPatches) {
      String problem = p.problem(rawBytes);
      if (problem != null) {
        return problem + " (at raw byte " + p.rawOffset() + ")";
      }
    }
    if (stored != expectedStoredBytes || raw != expectedRawBytes) {
      return "chunks add up to "
          + stored
          + " stored / "
          + raw
          + " raw bytes but the manifest says "
          + expectedStoredBytes
          + " / "
          + expectedRawBytes;
    }
    return null;
  }
}
