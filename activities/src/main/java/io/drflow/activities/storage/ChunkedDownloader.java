package io.drflow.activities.storage;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.drflow.activities.config.BackupTuning;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a chunked backup object into a local raw file: parallel ranged GETs, each chunk
 * verified against the chunk index and decompressed straight to its place in the file, while the
 * whole object's SHA-256 is computed in stored order. The running digest is resumable
 * (BouncyCastle's SHA-256 exports its state), so an interrupted download continues from its last
 * {@link Checkpoint} instead of starting over.
 */
public final class ChunkedDownloader {

  private static final Logger log = LoggerFactory.getLogger(ChunkedDownloader.class);

  private static final long DEFAULT_REQUEST_BYTES = 8L << 20;
  private static final int MAX_CHUNKS_PER_REQUEST = 16;
  private static final Duration DEFAULT_CHECKPOINT_EVERY = Duration.ofSeconds(1);
  private static final long POLL_MILLIS = 200;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ObjectStore store;
  private final int concurrency;
  private final long requestBytes;
  private final Duration checkpointEvery;

  public ChunkedDownloader(ObjectStore store, BackupTuning tuning) {
    this(store, tuning.downloadConcurrency(), DEFAULT_REQUEST_BYTES, DEFAULT_CHECKPOINT_EVERY);
  }

  /**
   * @param requestBytes adjacent chunks are fetched in one ranged GET up to about this many stored
   *     bytes (always at least one chunk)
   * @param checkpointEvery the least time between checkpoints; zero reports after every request
   */
  ChunkedDownloader(
      ObjectStore store, int concurrency, long requestBytes, Duration checkpointEvery) {
    if (concurrency < 1 || requestBytes < 1) {
      throw new IllegalArgumentException("concurrency and request size must be positive");
    }
    this.store = store;
    this.concurrency = concurrency;
    this.requestBytes = requestBytes;
    this.checkpointEvery = checkpointEvery;
  }

  /**
   * How far a download got: the first {@code chunksDone} chunks are in the target file, the
   * object's bytes before {@code storedOffset} are hashed, and {@code digestState} lets hashing
   * continue from there. Plain fields, so it travels as Temporal heartbeat details.
   *
   * @param objectSha256 the whole object's expected SHA-256: ties the checkpoint to one backup
   * @param digestState Base64 of BouncyCastle's encoded SHA-256 state
   */
  public record Checkpoint(
      String objectSha256, int chunksDone, long storedOffset, long rawOffset, String digestState) {}

  /**
   * @param bytesFetched stored bytes actually read from the bucket by this call (less than {@code
   *     storedBytes} after a resume)
   * @param resumedFromChunk the chunk this call started at (0 for a fresh download)
   * @param stages busy time of "fetch", "verify" (per-chunk SHA-256), "decompress", "write", "hash"
   *     (whole object)
   */
  public record Result(
      String key,
      long storedBytes,
      long rawBytes,
      String sha256,
      long bytesFetched,
      int resumedFromChunk,
      long resumedFromStoredByte,
      int chunks,
      List<StageTiming> stages,
      Instant startedAt,
      Instant endedAt) {}

  public Result download(Manifest.Dump dump, Path target) throws IOException {
    return download(dump, target, null, checkpoint -> {});
  }

  /**
   * Downloads {@code dump} into {@code target}, continuing from {@code resumeFrom} when it is a
   * usable checkpoint of this same object and the file still holds what it covers (otherwise it
   * starts over). {@code onCheckpoint} runs on the calling thread at least every second while the
   * download runs (repeating the last checkpoint when nothing advanced) and once at the end;
   * throwing from it stops the download.
   *
   * @throws BackupMissingException when the data object or its chunk index is missing
   * @throws ChecksumMismatchException when anything differs from what the manifest and index say
   */
  public Result download(
      Manifest.Dump dump, Path target, Checkpoint resumeFrom, Consumer<Checkpoint> onCheckpoint)
      throws IOException {
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    String key = dump.key();
    long size =
        store
            .size(key)
            .orElseThrow(
                () ->
                    new BackupMissingException(
                        key, "backup data object " + key + " does not exist"));
    if (size != dump.storedBytes()) {
      throw new ChecksumMismatchException(
          key, "size", dump.storedBytes() + " bytes", size + " bytes");
    }
    ChunkIndex index = fetchIndex(dump);
    List<ChunkIndex.Chunk> chunks = index.chunks();

    Checkpoint start = usable(resumeFrom, dump, chunks, target);
    SHA256Digest digest =
        start == null
            ? new SHA256Digest()
            : new SHA256Digest(Base64.getDecoder().decode(start.digestState()));
    int firstChunk = start == null ? 0 : start.chunksDone();
    if (start != null) {
      log.info("resuming download of {} at chunk {} of {}", key, firstChunk, chunks.size());
    }
    List<OpenOption> options =
        new ArrayList<>(List.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE));
    if (start == null) {
      options.add(StandardOpenOption.TRUNCATE_EXISTING);
    }
    Files.createDirectories(target.toAbsolutePath().getParent());
    try (FileChannel file = FileChannel.open(target, options.toArray(OpenOption[]::new))) {
      Transfer t =
          new Transfer(
              key, chunks, groups(chunks, firstChunk), file, digest, startedAt, startNanos);
      t.run(dump.sha256(), start, onCheckpoint);
      // Taken before finishing the digest, so a retry after this point need fetch nothing.
      String finalState = Base64.getEncoder().encodeToString(digest.getEncodedState());
      String actual = HexFormat.of().formatHex(t.finalDigest());
      if (!actual.equals(dump.sha256())) {
        throw new ChecksumMismatchException(
            key, "SHA-256 of the whole object", dump.sha256(), actual);
      }
      file.truncate(index.rawBytes());
      // The result promises a complete file; a host crash must not turn that into a hole.
      file.force(false);
      Checkpoint done =
          new Checkpoint(
              dump.sha256(), chunks.size(), dump.storedBytes(), index.rawBytes(), finalState);
      onCheckpoint.accept(done);
      return new Result(
          key,
          dump.storedBytes(),
          index.rawBytes(),
          actual,
          t.fetched.get(),
          firstChunk,
          start == null ? 0 : start.storedOffset(),
          chunks.size(),
          t.timings(),
          startedAt,
          Instant.now());
    }
  }

  private ChunkIndex fetchIndex(Manifest.Dump dump) {
    String indexKey = dump.chunkIndexKey();
    byte[] bytes =
        store
            .getBytes(indexKey)
            .orElseThrow(
                () ->
                    new BackupMissingException(
                        indexKey, "chunk index " + indexKey + " does not exist"));
    String sha = Sha256.hex(bytes);
    if (!sha.equals(dump.chunkIndexSha256())) {
      throw new ChecksumMismatchException(indexKey, "SHA-256", dump.chunkIndexSha256(), sha);
    }
    ChunkIndex index;
    try {
      index = ObjectStore.parseJson(indexKey, bytes, ChunkIndex.class);
    } catch (IllegalStateException e) {
      throw new ChecksumMismatchException(indexKey, e.getMessage());
    }
    String problem = index.inconsistency(dump.storedBytes(), dump.dumpBytes());
    if (problem != null) {
      throw new ChecksumMismatchException(indexKey, problem);
    }
    if (dump.chunks() != index.chunks().size()) {
      throw new ChecksumMismatchException(
          indexKey,
          "chunk count",
          String.valueOf(dump.chunks()),
          String.valueOf(index.chunks().size()));
    }
    return index;
  }

  /** The checkpoint, if it belongs to this object, matches the index and the file backs it. */
  private static Checkpoint usable(
      Checkpoint cp, Manifest.Dump dump, List<ChunkIndex.Chunk> chunks, Path target)
      throws IOException {
    if (cp == null || cp.chunksDone() == 0) {
      return null;
    }
    String why = null;
    if (!dump.sha256().equals(cp.objectSha256())) {
      why = "it belongs to another object";
    } else if (cp.chunksDone() < 0 || cp.chunksDone() > chunks.size()) {
      why = "its chunk count is out of range";
    } else if (cp.digestState() == null) {
      why = "it has no digest state";
    } else {
      ChunkIndex.Chunk last = chunks.get(cp.chunksDone() - 1);
      if (last.storedEnd() != cp.storedOffset() || last.rawEnd() != cp.rawOffset()) {
        why = "its offsets do not match the chunk index";
      } else if (!Files.exists(target) || Files.size(target) < cp.rawOffset()) {
        why = "the file no longer holds the chunks it covers";
      }
    }
    if (why == null) {
      try {
        new SHA256Digest(Base64.getDecoder().decode(cp.digestState()));
      } catch (RuntimeException e) {
        why = "its digest state does not decode";
      }
    }
    if (why != null) {
      log.warn("ignoring download checkpoint of {}: {}; starting over", dump.key(), why);
      return null;
    }
    return cp;
  }

  /** Adjacent chunks fetched with one ranged GET. */
  private record Group(int firstChunk, int endChunk, long storedOffset, int storedLength) {}

  private List<Group> groups(List<ChunkIndex.Chunk> chunks, int from) {
    List<Group> out = new ArrayList<>();
    int i = from;
    while (i < chunks.size()) {
      int first = i;
      long offset = chunks.get(i).storedOffset();
      long length = chunks.get(i).storedLength();
      i++;
      while (i < chunks.size()
          && i - first < MAX_CHUNKS_PER_REQUEST
          && length + chunks.get(i).storedLength() <= requestBytes) {
        length += chunks.get(i).storedLength();
        i++;
      }
      out.add(new Group(first, i, offset, Math.toIntExact(length)));
    }
    return out;
  }

  /** One download's workers, buffers and in-order hashing. */
  private final class Transfer {
    private final String key;
    private final List<ChunkIndex.Chunk> chunks;
    private final List<Group> groups;
    private final FileChannel file;
    private final SHA256Digest digest;

    private final StageClock fetchClock;
    private final StageClock verifyClock;
    private final StageClock decompressClock;
    private final StageClock writeClock;
    private final StageClock hashClock;
    private final AtomicLong fetched = new AtomicLong();

    /** Fetched groups may finish out of order; at most this many wait to be hashed. */
    private final int window = concurrency * 2;

    private final BlockingQueue<byte[]> groupBuffers;
    private final Queue<byte[]> rawBuffers = new ConcurrentLinkedQueue<>();
    private final Queue<ZstdDecompressCtx> contexts = new ConcurrentLinkedQueue<>();
    private final Queue<ZstdDecompressCtx> allContexts = new ConcurrentLinkedQueue<>();
    private final int maxRaw;

    Transfer(
        String key,
        List<ChunkIndex.Chunk> chunks,
        List<Group> groups,
        FileChannel file,
        SHA256Digest digest,
        Instant startedAt,
        long startNanos) {
      this.key = key;
      this.chunks = chunks;
      this.groups = groups;
      this.file = file;
      this.digest = digest;
      this.fetchClock = new StageClock("fetch", startedAt, startNanos);
      this.verifyClock = new StageClock("verify", startedAt, startNanos);
      this.decompressClock = new StageClock("decompress", startedAt, startNanos);
      this.writeClock = new StageClock("write", startedAt, startNanos);
      this.hashClock = new StageClock("hash", startedAt, startNanos);
      int maxGroup = groups.stream().mapToInt(Group::storedLength).max().orElse(0);
      this.groupBuffers = new ArrayBlockingQueue<>(window);
      for (int i = 0; i < Math.min(window, groups.size()); i++) {
        groupBuffers.add(new byte[maxGroup]);
      }
      this.maxRaw =
          Math.toIntExact(chunks.stream().mapToLong(ChunkIndex.Chunk::rawLength).max().orElse(0));
    }

    void run(String objectSha256, Checkpoint start, Consumer<Checkpoint> onCheckpoint)
        throws IOException {
      ExecutorService pool =
          Executors.newFixedThreadPool(
              concurrency,
              r -> {
                Thread t = new Thread(r, "drflow-download-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      List<Future<byte[]>> futures = new ArrayList<>(groups.size());
      // Reported even before the first chunk lands, so the callback can heartbeat from the start.
      Checkpoint latest =
          start != null
              ? start
              : new Checkpoint(
                  objectSha256,
                  0,
                  0,
                  0,
                  Base64.getEncoder().encodeToString(digest.getEncodedState()));
      boolean unforced = false;
      long lastReport = System.nanoTime();
      try {
        int hashed = 0;
        while (hashed < groups.size()) {
          while (futures.size() < groups.size() && futures.size() - hashed < window) {
            Group g = groups.get(futures.size());
            byte[] buffer = groupBuffers.poll();
            futures.add(pool.submit(() -> fetch(g, buffer)));
          }
          byte[] data;
          try {
            data = futures.get(hashed).get(POLL_MILLIS, TimeUnit.MILLISECONDS);
          } catch (TimeoutException slow) {
            data = null;
          }
          if (data != null) {
            Group g = groups.get(hashed);
            long t0 = System.nanoTime();
            digest.update(data, 0, g.storedLength());
            hashClock.add(t0);
            groupBuffers.add(data);
            futures.set(hashed, null);
            hashed++;
            ChunkIndex.Chunk last = chunks.get(g.endChunk() - 1);
            latest =
                new Checkpoint(
                    objectSha256,
                    g.endChunk(),
                    last.storedEnd(),
                    last.rawEnd(),
                    Base64.getEncoder().encodeToString(digest.getEncodedState()));
            unforced = true;
          }
          long now = System.nanoTime();
          if (now - lastReport >= checkpointEvery.toNanos()) {
            if (unforced) {
              // A checkpoint promises the file holds its chunks, across a host crash too.
              file.force(false);
              unforced = false;
            }
            onCheckpoint.accept(latest);
            lastReport = now;
          }
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof IOException io) {
          throw io;
        }
        throw new IOException("downloading " + key + " failed: " + cause, cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while downloading " + key, e);
      } finally {
        pool.shutdownNow();
        try {
          // Workers write into the file: none may still be running once the caller has it back.
          if (pool.awaitTermination(30, TimeUnit.SECONDS)) {
            allContexts.forEach(ZstdDecompressCtx::close);
          } else {
            log.warn("download workers of {} still running after 30 s", key);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Fetches, verifies, decompresses and writes one group; returns its stored bytes. */
    private byte[] fetch(Group g, byte[] buffer) throws IOException {
      long t0 = System.nanoTime();
      int n = store.readRange(key, g.storedOffset(), buffer, 0, g.storedLength());
      fetchClock.add(t0);
      fetched.addAndGet(n);
      if (n != g.storedLength()) {
        throw new ChecksumMismatchException(
            key,
            "length of bytes " + g.storedOffset() + ".." + (g.storedOffset() + g.storedLength()),
            g.storedLength() + " bytes",
            n + " bytes");
      }
      byte[] raw = rawBuffers.poll();
      if (raw == null) {
        raw = new byte[maxRaw];
      }
      ZstdDecompressCtx ctx = contexts.poll();
      if (ctx == null) {
        ctx = new ZstdDecompressCtx();
        allContexts.add(ctx);
      }
      try {
        for (int i = g.firstChunk(); i < g.endChunk(); i++) {
          ChunkIndex.Chunk c = chunks.get(i);
          int offset = Math.toIntExact(c.storedOffset() - g.storedOffset());
          int length = Math.toIntExact(c.storedLength());
          long t1 = System.nanoTime();
          String sha = Sha256.hex(buffer, offset, length);
          long t2 = verifyClock.add(t1);
          if (!sha.equals(c.sha256())) {
            throw new ChecksumMismatchException(
                key,
                "SHA-256 of chunk "
                    + i
                    + " (bytes "
                    + c.storedOffset()
                    + ".."
                    + c.storedEnd()
                    + ")",
                c.sha256(),
                sha);
          }
          int rawLength = Math.toIntExact(c.rawLength());
          int produced;
          try {
            produced = ctx.decompressByteArray(raw, 0, rawLength, buffer, offset, length);
          } catch (ZstdException e) {
            throw new ChecksumMismatchException(
                key, "chunk " + i + " is not a valid zstd frame: " + e.getMessage());
          }
          long t3 = decompressClock.add(t2);
          if (produced != rawLength) {
            throw new ChecksumMismatchException(
                key, "raw length of chunk " + i, rawLength + " bytes", produced + " bytes");
          }
          ByteBuffer out = ByteBuffer.wrap(raw, 0, rawLength);
          long position = c.rawOffset();
          while (out.hasRemaining()) {
            position += file.write(out, position);
          }
          writeClock.add(t3);
        }
      } finally {
        contexts.add(ctx);
        rawBuffers.add(raw);
      }
      return buffer;
    }

    byte[] finalDigest() {
      byte[] out = new byte[digest.getDigestSize()];
      digest.doFinal(out, 0);
      return out;
    }

    List<StageTiming> timings() {
      return List.of(
          fetchClock.timing(),
          verifyClock.timing(),
          decompressClock.timing(),
          writeClock.timing(),
          hashClock.timing());
    }
  }
}
