package io.drflow.activities.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.drflow.activities.config.BackupTuning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a chunked backup object into a local raw file: parallel ranged GETs, each chunk
 * verified against the chunk index and decompressed straight to its place in the file, while the
 * whole object's SHA-256 is computed in stored order with the JDK's digest (the CPU's SHA
 * instructions). An interrupted download continues from its last {@link Checkpoint}: the chunks
 * it covers are not fetched, decompressed or written again, only their stored bytes are read once
 * more to rebuild the running digest. (A digest whose state can be saved in the checkpoint, like
 * BouncyCastle's, hashes about seven times slower on every download, and on a busy restore host
 * that CPU is taken from pg_restore.)
 */
public final class ChunkedDownloader {

  private static final Logger log = LoggerFactory.getLogger(ChunkedDownloader.class);

  private static final long DEFAULT_REQUEST_BYTES = 8L << 20;
  private static final int MAX_CHUNKS_PER_REQUEST = 16;
  /**
   * A request's chunks are decompressed and written one after another by one worker, so a
   * request of well-compressed chunks is a lot of work: capping the raw bytes keeps the requests
   * many and even enough for every worker to stay busy to the end.
   */
  private static final long MAX_RAW_PER_REQUEST = 16L << 20;
  private static final Duration DEFAULT_CHECKPOINT_EVERY = Duration.ofSeconds(1);
  private static final long POLL_MILLIS = 200;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ObjectStore store;
  private final int concurrency;
  private final long requestBytes;
  private final Duration checkpointEvery;
  private final TransferMemory memory;

  public ChunkedDownloader(ObjectStore store, BackupTuning tuning) {
    this(store, tuning.downloadConcurrency(), DEFAULT_REQUEST_BYTES, DEFAULT_CHECKPOINT_EVERY);
  }

  ChunkedDownloader(
      ObjectStore store, int concurrency, long requestBytes, Duration checkpointEvery) {
    this(store, concurrency, requestBytes, checkpointEvery, TransferMemory.SHARED);
  }

  /**
   * @param requestBytes adjacent chunks are fetched in one ranged GET up to about this many stored
   *     bytes (always at least one chunk)
   * @param checkpointEvery the least time between checkpoints; zero reports after every request
   */
  ChunkedDownloader(
      ObjectStore store,
      int concurrency,
      long requestBytes,
      Duration checkpointEvery,
      TransferMemory memory) {
    if (concurrency < 1 || requestBytes < 1) {
      throw new IllegalArgumentException("concurrency and request size must be positive");
    }
    this.store = store;
    this.concurrency = concurrency;
    this.requestBytes = requestBytes;
    this.checkpointEvery = checkpointEvery;
    this.memory = memory;
  }

  /**
   * How far a download got: the first {@code chunksDone} chunks (stored bytes before {@code
   * storedOffset}, raw bytes before {@code rawOffset}) are in the target file. Plain fields, so it
   * travels as Temporal heartbeat details; unknown fields (an older worker's digest state) are
   * ignored.
   *
   * @param objectSha256 the whole object's expected SHA-256: ties the checkpoint to one backup
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Checkpoint(
      String objectSha256, int chunksDone, long storedOffset, long rawOffset) {}

  /**
   * @param bytesFetched stored bytes read from the bucket to be written (less than {@code
   *     storedBytes} after a resume)
   * @param bytesRehashed stored bytes of chunks already in the file, read again after a resume
   *     only to rebuild the whole-object digest
   * @param resumedFromChunk the chunk this call started at (0 for a fresh download)
   * @param rawPatches how many of the chunk index's raw patches were written into the file
   * @param stages busy time of "fetch", "verify" (per-chunk SHA-256), "decompress", "write", "hash"
   *     (whole object), "force" (flushing the file to disk)
   */
  public record Result(
      String key,
      long storedBytes,
      long rawBytes,
      String sha256,
      long bytesFetched,
      long bytesRehashed,
      int resumedFromChunk,
      long resumedFromStoredByte,
      int chunks,
      int rawPatches,
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
    return download(dump, target, resumeFrom, onCheckpoint, null);
  }

  /**
   * As {@link #download(Manifest.Dump, Path, Checkpoint, Consumer)}, for an object written with
   * {@code cipher} (null: plain zstd): each chunk, once its stored checksum matches, is decrypted
   * and authenticated right before it is decompressed.
   *
   * @throws ChunkAuthenticationException when a chunk fails authentication
   */
  public Result download(
      Manifest.Dump dump,
      Path target,
      Checkpoint resumeFrom,
      Consumer<Checkpoint> onCheckpoint,
      ChunkCipher cipher)
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
    ChunkIndex index = fetchIndex(store, dump);
    List<ChunkIndex.Chunk> chunks = index.chunks();

    Checkpoint start = usable(resumeFrom, dump, chunks, target);
    int firstChunk = start == null ? 0 : start.chunksDone();
    if (start != null) {
      log.info("resuming download of {} at chunk {} of {}", key, firstChunk, chunks.size());
    }
    Checkpoint initial = start != null ? start : new Checkpoint(dump.sha256(), 0, 0, 0);
    List<Group> rehash = groups(chunks, 0, firstChunk);
    List<Group> fetch = groups(chunks, firstChunk, chunks.size());
    List<OpenOption> options =
        new ArrayList<>(
            List.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    if (start == null) {
      options.add(StandardOpenOption.TRUNCATE_EXISTING);
    }
    Files.createDirectories(target.toAbsolutePath().getParent());
    MessageDigest digest = Sha256.newDigest();
    Clocks clocks = new Clocks(startedAt, startNanos, cipher != null);
    long needed =
        Math.max(
            bufferBytes(rehash, chunks, false, false), bufferBytes(fetch, chunks, true, cipher != null));
    try (TransferMemory.Lease lease = acquire(needed, initial, onCheckpoint);
        FileChannel file = FileChannel.open(target, options.toArray(OpenOption[]::new))) {
      long rehashed = 0;
      if (!rehash.isEmpty()) {
        Transfer again = new Transfer(key, chunks, rehash, null, null, digest, clocks);
        again.run(initial, false, onCheckpoint);
        rehashed = again.fetched.get();
      }
      Transfer t = new Transfer(key, chunks, fetch, file, cipher, digest, clocks);
      t.run(initial, true, onCheckpoint);
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(dump.sha256())) {
        throw new ChecksumMismatchException(
            key, "SHA-256 of the whole object", dump.sha256(), actual);
      }
      file.truncate(index.rawBytes());
      int patched = RawPatch.applyAll(file, index.rawPatches());
      // The result promises a complete file; a host crash must not turn that into a hole.
      long f0 = System.nanoTime();
      file.force(false);
      clocks.force.add(f0);
      onCheckpoint.accept(
          new Checkpoint(dump.sha256(), chunks.size(), dump.storedBytes(), index.rawBytes()));
      return new Result(
          key,
          dump.storedBytes(),
          index.rawBytes(),
          actual,
          t.fetched.get(),
          rehashed,
          firstChunk,
          start == null ? 0 : start.storedOffset(),
          chunks.size(),
          patched,
          clocks.timings(),
          startedAt,
          Instant.now());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for memory to download " + key, e);
    }
  }

  /** Waits for buffer memory, reporting the unchanged checkpoint meanwhile. */
  private TransferMemory.Lease acquire(
      long bytes, Checkpoint initial, Consumer<Checkpoint> onCheckpoint)
      throws InterruptedException {
    return memory.acquire(
        bytes,
        checkpointEvery.isZero() ? Duration.ofSeconds(1) : checkpointEvery,
        () -> onCheckpoint.accept(initial));
  }

  /**
   * Group buffers (heap) and, when writing, decompression buffers (direct) and decryption buffers
   * (heap) of one transfer.
   */
  private long bufferBytes(
      List<Group> groups, List<ChunkIndex.Chunk> chunks, boolean writing, boolean decrypting) {
    if (groups.isEmpty()) {
      return 0;
    }
    long maxGroup = groups.stream().mapToLong(Group::storedLength).max().orElse(0);
    long slots = Math.min(window(), groups.size());
    long total = slots * maxGroup;
    if (writing) {
      long maxRaw = chunks.stream().mapToLong(ChunkIndex.Chunk::rawLength).max().orElse(0);
      total += Math.min(concurrency, groups.size()) * maxRaw;
      if (decrypting) {
        long maxStored = chunks.stream().mapToLong(ChunkIndex.Chunk::storedLength).max().orElse(0);
        total += Math.min(concurrency, groups.size()) * maxStored;
      }
    }
    return total;
  }

  /** Fetched groups may finish out of order; at most this many wait to be hashed. */
  private int window() {
    return concurrency * 2;
  }

  /** The dump's chunk index, checked against the manifest before any offset in it is trusted. */
  static ChunkIndex fetchIndex(ObjectStore store, Manifest.Dump dump) {
    return checkedIndex(dump, fetchIndexBytes(store, dump));
  }

  /**
   * {@link #fetchIndex}, keeping the index's bytes at {@code copy}: a later call with the same
   * copy (the Restore phase after the Download) reads them from there, checked against the
   * manifest again, and fetches them only if they are missing or do not match.
   */
  static ChunkIndex fetchIndex(ObjectStore store, Manifest.Dump dump, Path copy) {
    if (copy == null) {
      return fetchIndex(store, dump);
    }
    try {
      if (Files.isRegularFile(copy)) {
        try {
          return checkedIndex(dump, Files.readAllBytes(copy));
        } catch (ChecksumMismatchException stale) {
          // Not this backup's index (or damaged): fetched again below.
        }
      }
      byte[] bytes = fetchIndexBytes(store, dump);
      ChunkIndex index = checkedIndex(dump, bytes);
      Path tmp = copy.resolveSibling(copy.getFileName() + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException("keeping the chunk index of " + dump.key() + " at " + copy, e);
    }
  }

  private static byte[] fetchIndexBytes(ObjectStore store, Manifest.Dump dump) {
    String indexKey = dump.chunkIndexKey();
    return store
        .getBytes(indexKey)
        .orElseThrow(
            () -> new BackupMissingException(indexKey, "chunk index " + indexKey + " does not exist"));
  }

  private static ChunkIndex checkedIndex(Manifest.Dump dump, byte[] bytes) {
    String indexKey = dump.chunkIndexKey();
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
    } else {
      ChunkIndex.Chunk last = chunks.get(cp.chunksDone() - 1);
      if (last.storedEnd() != cp.storedOffset() || last.rawEnd() != cp.rawOffset()) {
        why = "its offsets do not match the chunk index";
      } else if (!Files.exists(target) || Files.size(target) < cp.rawOffset()) {
        why = "the file no longer holds the chunks it covers";
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

  private List<Group> groups(List<ChunkIndex.Chunk> chunks, int from, int to) {
    List<Group> out = new ArrayList<>();
    int i = from;
    while (i < to) {
      int first = i;
      long offset = chunks.get(i).storedOffset();
      long length = chunks.get(i).storedLength();
      long raw = chunks.get(i).rawLength();
      i++;
      while (i < to
          && i - first < MAX_CHUNKS_PER_REQUEST
          && length + chunks.get(i).storedLength() <= requestBytes
          && raw + chunks.get(i).rawLength() <= MAX_RAW_PER_REQUEST) {
        length += chunks.get(i).storedLength();
        raw += chunks.get(i).rawLength();
        i++;
      }
      out.add(new Group(first, i, offset, Math.toIntExact(length)));
    }
    return out;
  }

  /** Busy time per stage, shared by the transfers of one download. */
  private static final class Clocks {
    final StageClock fetch;
    final StageClock verify;
    final StageClock decompress;
    final StageClock write;
    final StageClock hash;
    final StageClock force;
    /** Null when the object is not encrypted. */
    final StageClock decrypt;

    Clocks(Instant startedAt, long startNanos, boolean decrypting) {
      force = new StageClock("force", startedAt, startNanos);
      decrypt = decrypting ? new StageClock("decrypt", startedAt, startNanos) : null;
      fetch = new StageClock("fetch", startedAt, startNanos);
      verify = new StageClock("verify", startedAt, startNanos);
      decompress = new StageClock("decompress", startedAt, startNanos);
      write = new StageClock("write", startedAt, startNanos);
      hash = new StageClock("hash", startedAt, startNanos);
    }

    List<StageTiming> timings() {
      List<StageTiming> out = new ArrayList<>(List.of(fetch.timing(), verify.timing()));
      if (decrypt != null) {
        out.add(decrypt.timing());
      }
      out.addAll(List.of(decompress.timing(), write.timing(), hash.timing(), force.timing()));
      return List.copyOf(out);
    }
  }

  /**
   * One pass over some groups: workers fetch them in parallel and (when there is a file) verify,
   * decompress and write each chunk; this thread hashes them in stored order.
   */
  private final class Transfer {
    private final String key;
    private final List<ChunkIndex.Chunk> chunks;
    private final List<Group> groups;
    private final FileChannel file;
    private final ChunkCipher cipher;
    private final MessageDigest digest;
    private final Clocks clocks;
    private final AtomicLong fetched = new AtomicLong();

    private final BlockingQueue<byte[]> groupBuffers;
    private final Queue<ByteBuffer> rawBuffers = new ConcurrentLinkedQueue<>();
    private final Queue<byte[]> plainBuffers = new ConcurrentLinkedQueue<>();
    private final Queue<ZstdDecompressCtx> contexts = new ConcurrentLinkedQueue<>();
    private final Queue<ZstdDecompressCtx> allContexts = new ConcurrentLinkedQueue<>();
    private final int maxRaw;

    /** @param file null to only hash the groups (rebuilding the digest of a resumed download) */
    Transfer(
        String key,
        List<ChunkIndex.Chunk> chunks,
        List<Group> groups,
        FileChannel file,
        ChunkCipher cipher,
        MessageDigest digest,
        Clocks clocks) {
      this.key = key;
      this.chunks = chunks;
      this.groups = groups;
      this.file = file;
      this.cipher = cipher;
      this.digest = digest;
      this.clocks = clocks;
      int maxGroup = groups.stream().mapToInt(Group::storedLength).max().orElse(0);
      this.groupBuffers = new ArrayBlockingQueue<>(Math.max(1, window()));
      for (int i = 0; i < Math.min(window(), groups.size()); i++) {
        groupBuffers.add(new byte[maxGroup]);
      }
      this.maxRaw =
          Math.toIntExact(chunks.stream().mapToLong(ChunkIndex.Chunk::rawLength).max().orElse(0));
    }

    /**
     * @param advance whether finished groups move the checkpoint on (false while rehashing:
     *     those chunks were already covered by {@code latest})
     */
    void run(Checkpoint latest, boolean advance, Consumer<Checkpoint> onCheckpoint)
        throws IOException {
      if (groups.isEmpty()) {
        return;
      }
      ExecutorService pool =
          Executors.newFixedThreadPool(
              Math.min(concurrency, groups.size()),
              r -> {
                Thread t = new Thread(r, "drflow-download-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      List<Future<byte[]>> futures = new ArrayList<>(groups.size());
      boolean unforced = false;
      long lastReport = System.nanoTime();
      // Reported even before the first chunk lands, so the callback can heartbeat from the start.
      onCheckpoint.accept(latest);
      try {
        int hashed = 0;
        while (hashed < groups.size()) {
          while (futures.size() < groups.size() && futures.size() - hashed < window()) {
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
            clocks.hash.add(t0);
            groupBuffers.add(data);
            futures.set(hashed, null);
            hashed++;
            if (advance) {
              ChunkIndex.Chunk last = chunks.get(g.endChunk() - 1);
              latest =
                  new Checkpoint(
                      latest.objectSha256(), g.endChunk(), last.storedEnd(), last.rawEnd());
              unforced = true;
            }
          }
          long now = System.nanoTime();
          if (now - lastReport >= checkpointEvery.toNanos()) {
            if (unforced) {
              // A checkpoint promises the file holds its chunks, across a host crash too.
              long f0 = System.nanoTime();
              file.force(false);
              clocks.force.add(f0);
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

    /** Fetches one group and, with a file, verifies, decompresses and writes it. */
    private byte[] fetch(Group g, byte[] buffer) throws IOException {
      long t0 = System.nanoTime();
      int n = store.readRange(key, g.storedOffset(), buffer, 0, g.storedLength());
      clocks.fetch.add(t0);
      fetched.addAndGet(n);
      if (n != g.storedLength()) {
        throw new ChecksumMismatchException(
            key,
            "length of bytes " + g.storedOffset() + ".." + (g.storedOffset() + g.storedLength()),
            g.storedLength() + " bytes",
            n + " bytes");
      }
      if (file == null) {
        return buffer;
      }
      ByteBuffer raw = rawBuffers.poll();
      if (raw == null) {
        // Direct, so the positional write below goes to the file without another copy.
        raw = ByteBuffer.allocateDirect(Math.max(1, maxRaw));
      }
      ZstdDecompressCtx ctx = contexts.poll();
      if (ctx == null) {
        ctx = new ZstdDecompressCtx();
        allContexts.add(ctx);
      }
      // Decrypted apart from the group buffer, which is hashed as stored once this returns.
      byte[] plain = cipher == null ? null : plainBuffer();
      try {
        for (int i = g.firstChunk(); i < g.endChunk(); i++) {
          ChunkIndex.Chunk c = chunks.get(i);
          int offset = Math.toIntExact(c.storedOffset() - g.storedOffset());
          int length = Math.toIntExact(c.storedLength());
          long t1 = System.nanoTime();
          String sha = Sha256.hex(buffer, offset, length);
          long t2 = clocks.verify.add(t1);
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
          byte[] frame = buffer;
          if (cipher != null) {
            length =
                cipher.open(
                    key, ChunkCipher.Stream.DATA, i, i == chunks.size() - 1, buffer, offset, length, plain, 0);
            frame = plain;
            offset = 0;
            t2 = clocks.decrypt.add(t2);
          }
          int rawLength = Math.toIntExact(c.rawLength());
          int produced;
          raw.clear();
          try {
            produced =
                ctx.decompressByteArrayToDirectByteBuffer(raw, 0, rawLength, frame, offset, length);
          } catch (ZstdException e) {
            throw new ChecksumMismatchException(
                key, "chunk " + i + " is not a valid zstd frame: " + e.getMessage());
          }
          long t3 = clocks.decompress.add(t2);
          if (produced != rawLength) {
            throw new ChecksumMismatchException(
                key, "raw length of chunk " + i, rawLength + " bytes", produced + " bytes");
          }
          raw.clear().limit(rawLength);
          long position = c.rawOffset();
          while (raw.hasRemaining()) {
            position += file.write(raw, position);
          }
          clocks.write.add(t3);
        }
      } finally {
        contexts.add(ctx);
        rawBuffers.add(raw);
        if (plain != null) {
          plainBuffers.add(plain);
        }
      }
      return buffer;
    }

    private byte[] plainBuffer() {
      byte[] b = plainBuffers.poll();
      if (b == null) {
        int maxStored =
            Math.toIntExact(
                chunks.stream().mapToLong(ChunkIndex.Chunk::storedLength).max().orElse(0));
        b = new byte[Math.max(1, maxStored)];
      }
      return b;
    }
  }
}
