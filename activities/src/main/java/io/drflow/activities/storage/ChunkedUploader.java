package io.drflow.activities.storage;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.drflow.activities.config.BackupTuning;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Streams an unbounded input (pg_dump's stdout) into one S3 object without staging it: fixed-size
 * raw chunks are compressed as independent zstd frames on a thread pool, hashed and packed in order
 * into multipart parts, and the parts uploaded in parallel. Concatenated frames are one valid zstd
 * stream, so {@code zstd -d} restores the dump without drflow, while the chunk index lets drflow
 * fetch and verify chunks in parallel. With a {@link ChunkCipher}, each frame is encrypted on its
 * own after compression (a chunk is then a frame's ciphertext and tag).
 *
 * <p>Memory is bounded by buffer pools, not by the input: about (compressThreads + 3) chunk slots
 * and (uploadConcurrency + 1) part buffers. A slow stage therefore stalls the ones before it rather
 * than filling the heap.
 */
public final class ChunkedUploader {

  private static final Logger log = LoggerFactory.getLogger(ChunkedUploader.class);

  static final int MIB = 1 << 20;
  private static final int MAX_PARTS = 10_000;

  /**
   * Parts double in size every this many parts, so an unexpectedly large dump does not hit S3's
   * 10,000-part limit (16 MiB parts alone would stop at 156 GiB stored).
   */
  private static final int PARTS_PER_SIZE_STEP = 2_000;

  private static final int MAX_PART_BYTES = 1 << 30;
  private static final int PART_ATTEMPTS = 3;
  private static final Duration DEFAULT_PROGRESS_EVERY = Duration.ofSeconds(1);
  private static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

  private final ObjectStore store;
  private final int chunkBytes;
  private final int partBytes;
  private final int zstdLevel;
  private final int compressThreads;
  private final int uploadConcurrency;
  private final Duration progressEvery;
  private final Duration retryBackoff;
  private final TransferMemory memory = TransferMemory.SHARED;

  public ChunkedUploader(ObjectStore store, BackupTuning tuning) {
    this(
        store,
        tuning.chunkMiB() * MIB,
        tuning.partMiB() * MIB,
        tuning.zstdLevel(),
        tuning.effectiveCompressThreads(),
        tuning.uploadConcurrency(),
        DEFAULT_PROGRESS_EVERY,
        DEFAULT_RETRY_BACKOFF);
  }

  /**
   * Sizes in bytes, so tests can exercise many chunks with little data.
   *
   * @param retryBackoff the wait before a failed part's second attempt; it doubles after that
   */
  ChunkedUploader(
      ObjectStore store,
      int chunkBytes,
      int partBytes,
      int zstdLevel,
      int compressThreads,
      int uploadConcurrency,
      Duration progressEvery,
      Duration retryBackoff) {
    if (chunkBytes < 1 || partBytes < 1 || compressThreads < 1 || uploadConcurrency < 1) {
      throw new IllegalArgumentException("chunk/part sizes and thread counts must be positive");
    }
    this.store = store;
    this.chunkBytes = chunkBytes;
    this.partBytes = partBytes;
    this.zstdLevel = zstdLevel;
    this.compressThreads = compressThreads;
    this.uploadConcurrency = uploadConcurrency;
    this.progressEvery = progressEvery;
    this.retryBackoff = retryBackoff;
  }

  /**
   * Told how far the upload got. Runs on the thread that called {@link #upload}, at least every
   * {@code progressEvery} however stalled the pipeline is (so it can heartbeat); throwing from it
   * aborts the upload.
   */
  @FunctionalInterface
  public interface Progress {
    /**
     * @param rawBytes bytes read from the input so far
     * @param storedBytes compressed bytes whose parts are uploaded
     */
    void report(long rawBytes, long storedBytes) throws Exception;
  }

  /**
   * @param chunks where each frame lies (also stored as {@code chunkIndexKey})
   * @param stages busy time per stage: "read" (waiting on the input, i.e. the dump), "compress",
   *     "hash" (per-chunk and whole-object SHA-256), "upload"
   */
  public record Result(
      String key,
      long rawBytes,
      long storedBytes,
      String sha256,
      int parts,
      long chunkBytes,
      int zstdLevel,
      List<ChunkIndex.Chunk> chunks,
      String chunkIndexKey,
      String chunkIndexSha256,
      long chunkIndexBytes,
      List<StageTiming> stages,
      Instant startedAt,
      Instant endedAt) {

    public StageTiming stage(String name) {
      return stages.stream()
          .filter(s -> s.stage().equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no stage " + name));
    }

    /** The manifest's description of this object. */
    public Manifest.Dump toManifestDump(String dumpFormat) {
      return new Manifest.Dump(
          key,
          dumpFormat,
          "zstd",
          zstdLevel,
          chunkBytes,
          storedBytes,
          rawBytes,
          sha256,
          chunkIndexKey,
          chunkIndexSha256,
          chunks.size());
    }
  }

  /**
   * Uploads everything {@code source} yields to {@code dataKey}, then writes the chunk index to
   * {@code chunkIndexKey}. Multipart uploads left at {@code dataKey} by an earlier attempt are
   * aborted first; on any failure this one is aborted too, so no parts linger.
   *
   * <p>The source is read on a separate thread; on failure it is closed, but a read blocked on a
   * process pipe only returns once the process writes or exits, so callers destroy the producing
   * process when this throws.
   */
  public Result upload(InputStream source, String dataKey, String chunkIndexKey, Progress progress)
      throws IOException {
    return upload(source, dataKey, chunkIndexKey, progress, RawObserver.NONE);
  }

  /**
   * As {@link #upload(InputStream, String, String, Progress)}, showing the raw stream to {@code
   * observer} on the way; the patches it returns are recorded in the chunk index.
   */
  public Result upload(
      InputStream source,
      String dataKey,
      String chunkIndexKey,
      Progress progress,
      RawObserver observer)
      throws IOException {
    return upload(source, dataKey, chunkIndexKey, progress, observer, null);
  }

  /**
   * As {@link #upload(InputStream, String, String, Progress, RawObserver)}, encrypting each
   * compressed frame with {@code cipher} (null: stored as plain zstd). Checksums in the result and
   * the chunk index are then of the encrypted bytes, as stored.
   */
  public Result upload(
      InputStream source,
      String dataKey,
      String chunkIndexKey,
      Progress progress,
      RawObserver observer,
      ChunkCipher cipher)
      throws IOException {
    TransferMemory.Lease lease;
    try {
      lease =
          memory.acquire(
              bufferBytes(cipher != null),
              progressEvery,
              () -> {
                try {
                  progress.report(0, 0);
                } catch (RuntimeException e) {
                  throw e;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for memory to upload " + dataKey, e);
    }
    try (lease) {
      return uploadWithin(source, dataKey, chunkIndexKey, progress, observer, cipher);
    }
  }

  /** Chunk slots (raw, compressed and maybe encrypted) and part buffers, at most, of one upload. */
  private long bufferBytes(boolean encrypting) {
    long packed = Zstd.compressBound(chunkBytes);
    long slot = chunkBytes + packed + (encrypting ? packed + ChunkCipher.TAG_BYTES : 0);
    return slotCount() * slot + (uploadConcurrency + 1) * (long) partBytes;
  }

  /** One per compression, one being read, one held back until the reader knows if it is last. */
  private int slotCount() {
    return compressThreads + 3;
  }

  private Result uploadWithin(
      InputStream source,
      String dataKey,
      String chunkIndexKey,
      Progress progress,
      RawObserver observer,
      ChunkCipher cipher)
      throws IOException {
    int stale = store.abortUploads(dataKey);
    if (stale > 0) {
      log.info("aborted {} stale multipart upload(s) of {}", stale, dataKey);
    }
    String uploadId =
        store
            .client()
            .createMultipartUpload(
                b ->
                    b.bucket(store.bucket())
                        .key(dataKey)
                        .contentType(cipher == null ? "application/zstd" : "application/octet-stream"))
            .uploadId();
    Run run = new Run(source, dataKey, uploadId, observer, cipher);
    try {
      run.start();
      run.awaitReporting(run.pipeline, progress);
      // Completing a large multipart upload can take a while on S3: keep reporting meanwhile.
      CompletableFuture<Result> finishing =
          CompletableFuture.supplyAsync(
              () -> run.finish(chunkIndexKey),
              r -> daemon("drflow-upload-complete").newThread(r).start());
      Result result = run.awaitReporting(finishing, progress);
      progress.report(result.rawBytes(), result.storedBytes());
      return result;
    } catch (Throwable t) {
      run.abort(t);
      throw propagate(t);
    } finally {
      run.release();
    }
  }

  private static IOException propagate(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new IOException("upload failed: " + t, t);
  }

  /**
   * A raw chunk and, once compressed (and encrypted), what is stored of it: recycled so memory
   * stays flat.
   */
  private static final class Slot {
    final byte[] raw;
    final byte[] packed;
    final byte[] sealed;
    long index;
    boolean last;
    int rawLength;
    int packedLength;
    /** {@code packed}, or {@code sealed} when encrypting. */
    byte[] stored;
    int storedLength;
    String sha256;

    Slot(int chunkBytes, boolean encrypting) {
      raw = new byte[chunkBytes];
      packed = new byte[(int) Zstd.compressBound(chunkBytes)];
      sealed = encrypting ? new byte[packed.length + ChunkCipher.TAG_BYTES] : null;
    }
  }

  /** What the reader's last future yields: queues refuse null elements, futures may hold one. */
  private static final Slot END = null;

  /** One upload's threads, pools and shared state. */
  private final class Run {
    private final InputStream source;
    private final String key;
    private final String uploadId;
    private volatile RawObserver observer;
    private final ChunkCipher cipher;

    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final StageClock readClock = new StageClock("read", startedAt, startNanos);
    private final StageClock compressClock = new StageClock("compress", startedAt, startNanos);
    private final StageClock hashClock = new StageClock("hash", startedAt, startNanos);
    private final StageClock uploadClock = new StageClock("upload", startedAt, startNanos);
    private final StageClock encryptClock = new StageClock("encrypt", startedAt, startNanos);

    private final int maxSlots = slotCount();
    private final AtomicInteger slotsAllocated = new AtomicInteger();
    private final BlockingQueue<Slot> freeSlots = new ArrayBlockingQueue<>(maxSlots);

    /** Compressions in input order; the sequencer consumes them in that order. */
    private final BlockingQueue<Future<Slot>> ordered = new ArrayBlockingQueue<>(maxSlots + 1);

    private final int maxPartBuffers = uploadConcurrency + 1;
    private final AtomicInteger partBuffersAllocated = new AtomicInteger();
    private final BlockingQueue<byte[]> freeParts = new ArrayBlockingQueue<>(maxPartBuffers);

    private final Queue<ZstdCompressCtx> contexts = new ConcurrentLinkedQueue<>();
    private final Queue<ZstdCompressCtx> allContexts = new ConcurrentLinkedQueue<>();
    private final Queue<CompletedPart> completedParts = new ConcurrentLinkedQueue<>();

    private final AtomicLong rawRead = new AtomicLong();
    private final AtomicLong storedUploaded = new AtomicLong();
    private final CompletableFuture<Void> pipeline = new CompletableFuture<>();

    private final ExecutorService compressPool =
        Executors.newFixedThreadPool(compressThreads, daemon("drflow-compress"));
    private final ExecutorService uploadPool =
        Executors.newFixedThreadPool(uploadConcurrency, daemon("drflow-upload-part"));
    private final Thread reader = daemon("drflow-upload-read").newThread(this::readLoop);
    private final Thread sequencer = daemon("drflow-upload-pack").newThread(this::sequenceLoop);

    // Written by the sequencer before it completes the pipeline future, read after.
    private final List<ChunkIndex.Chunk> chunks = new ArrayList<>();
    private final MessageDigest whole = Sha256.newDigest();
    private long storedTotal;
    private int partsSubmitted;

    Run(InputStream source, String key, String uploadId, RawObserver observer, ChunkCipher cipher) {
      this.source = source;
      this.key = key;
      this.uploadId = uploadId;
      this.observer = observer;
      this.cipher = cipher;
    }

    void start() {
      reader.start();
      sequencer.start();
    }

    <T> T awaitReporting(Future<T> work, Progress progress) throws Exception {
      while (true) {
        try {
          return work.get(progressEvery.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          progress.report(rawRead.get(), storedUploaded.get());
        } catch (ExecutionException e) {
          Throwable cause =
              e.getCause() instanceof CompletionException ce
                  ? ce.getCause()
                  : e.getCause();
          throw cause instanceof Exception ex ? ex : e;
        }
      }
    }

    Result finish(String chunkIndexKey) {
      List<CompletedPart> parts =
          completedParts.stream().sorted(Comparator.comparing(CompletedPart::partNumber)).toList();
      store
          .client()
          .completeMultipartUpload(
              b ->
                  b.bucket(store.bucket())
                      .key(key)
                      .uploadId(uploadId)
                      .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
      // Cheap insurance that the store assembled what we sent before anything records it.
      long size = store.size(key).orElse(-1);
      if (size != storedTotal) {
        throw new IllegalStateException(
            key + " is " + size + " bytes after upload, expected " + storedTotal);
      }
      long raw = chunks.isEmpty() ? 0 : chunks.get(chunks.size() - 1).rawEnd();
      ChunkIndex index =
          new ChunkIndex(
              ChunkIndex.FORMAT, "zstd", chunkBytes, storedTotal, raw, chunks, observedPatches(raw));
      ObjectStore.StoredObject indexObject = store.putJson(chunkIndexKey, index);
      Instant endedAt = Instant.now();
      return new Result(
          key,
          raw,
          storedTotal,
          HexFormat.of().formatHex(whole.digest()),
          parts.size(),
          chunkBytes,
          zstdLevel,
          index.chunks(),
          chunkIndexKey,
          indexObject.sha256(),
          indexObject.size(),
          cipher == null
              ? List.of(
                  readClock.timing(), compressClock.timing(), hashClock.timing(), uploadClock.timing())
              : List.of(
                  readClock.timing(),
                  compressClock.timing(),
                  encryptClock.timing(),
                  hashClock.timing(),
                  uploadClock.timing()),
          startedAt,
          endedAt);
    }

    private List<RawPatch> observedPatches(long rawBytes) {
      RawObserver o = observer;
      if (o == null) {
        return List.of();
      }
      try {
        List<RawPatch> patches = o.finish();
        for (RawPatch p : patches) {
          if (p.problem(rawBytes) != null) {
            log.warn("dropping raw patches of {}: {}", key, p.problem(rawBytes));
            return List.of();
          }
        }
        return patches;
      } catch (RuntimeException e) {
        log.warn("raw stream observer of {} failed at the end; no raw patches: {}", key, e.toString());
        return List.of();
      }
    }

    private void observe(byte[] b, int n) {
      RawObserver o = observer;
      if (o == null) {
        return;
      }
      try {
        o.accept(b, 0, n);
      } catch (RuntimeException e) {
        log.warn("raw stream observer of {} failed; no raw patches: {}", key, e.toString());
        observer = null;
      }
    }

    private void readLoop() {
      try {
        // Each chunk waits for the next read, which tells whether it is the last: an encrypted
        // last chunk says so, so a stream cut after a whole chunk does not authenticate.
        Slot pending = null;
        long index = 0;
        while (true) {
          Slot slot = takeSlot();
          long t0 = System.nanoTime();
          int n = source.readNBytes(slot.raw, 0, chunkBytes);
          readClock.add(t0);
          // An empty input still becomes one (empty) frame, so the object is a valid zstd file.
          if (n == 0 && pending != null) {
            freeSlots.put(slot);
            break;
          }
          slot.rawLength = n;
          slot.index = index++;
          rawRead.addAndGet(n);
          observe(slot.raw, n);
          if (pending != null) {
            submit(pending, false);
          }
          pending = slot;
          if (n < chunkBytes) {
            break;
          }
        }
        submit(pending, true);
        ordered.put(CompletableFuture.completedFuture(END));
      } catch (Throwable t) {
        pipeline.completeExceptionally(t);
      }
    }

    private void submit(Slot slot, boolean last) throws InterruptedException {
      slot.last = last;
      ordered.put(compressPool.submit(() -> compress(slot)));
    }

    private Slot takeSlot() throws InterruptedException {
      Slot slot = freeSlots.poll();
      if (slot != null) {
        return slot;
      }
      if (slotsAllocated.incrementAndGet() <= maxSlots) {
        return new Slot(chunkBytes, cipher != null);
      }
      slotsAllocated.decrementAndGet();
      return freeSlots.take();
    }

    private Slot compress(Slot slot) {
      long t0 = System.nanoTime();
      ZstdCompressCtx ctx = contexts.poll();
      if (ctx == null) {
        ctx = new ZstdCompressCtx().setLevel(zstdLevel).setChecksum(true).setContentSize(true);
        allContexts.add(ctx);
      }
      try {
        slot.packedLength =
            ctx.compressByteArray(slot.packed, 0, slot.packed.length, slot.raw, 0, slot.rawLength);
      } finally {
        contexts.add(ctx);
      }
      long t1 = compressClock.add(t0);
      if (cipher == null) {
        slot.stored = slot.packed;
        slot.storedLength = slot.packedLength;
      } else {
        slot.stored = slot.sealed;
        slot.storedLength =
            cipher.seal(
                ChunkCipher.Stream.DATA,
                slot.index,
                slot.last,
                slot.packed,
                0,
                slot.packedLength,
                slot.sealed,
                0);
        t1 = encryptClock.add(t1);
      }
      slot.sha256 = Sha256.hex(slot.stored, 0, slot.storedLength);
      hashClock.add(t1);
      return slot;
    }

    private void sequenceLoop() {
      try {
        byte[] part = null;
        int partLength = 0;
        long rawOffset = 0;
        List<Future<?>> uploads = new ArrayList<>();
        while (true) {
          Slot slot = ordered.take().get();
          if (slot == END) {
            break;
          }
          long t0 = System.nanoTime();
          whole.update(slot.stored, 0, slot.storedLength);
          hashClock.add(t0);
          chunks.add(
              new ChunkIndex.Chunk(
                  storedTotal, slot.storedLength, rawOffset, slot.rawLength, slot.sha256));
          storedTotal += slot.storedLength;
          rawOffset += slot.rawLength;
          // Parts are cut at exact sizes, so a frame may straddle two parts: parts only matter
          // to the upload, chunks only to readers.
          int offset = 0;
          while (offset < slot.storedLength) {
            if (part == null) {
              part = takePartBuffer(partsSubmitted + 1);
              partLength = 0;
            }
            int n = Math.min(part.length - partLength, slot.storedLength - offset);
            System.arraycopy(slot.stored, offset, part, partLength, n);
            partLength += n;
            offset += n;
            if (partLength == part.length) {
              uploads.add(submitPart(part, partLength));
              part = null;
            }
          }
          freeSlots.put(slot);
        }
        if (part != null && partLength > 0) {
          uploads.add(submitPart(part, partLength));
        }
        for (Future<?> f : uploads) {
          f.get();
        }
        pipeline.complete(null);
      } catch (ExecutionException e) {
        pipeline.completeExceptionally(e.getCause());
      } catch (Throwable t) {
        pipeline.completeExceptionally(t);
      }
    }

    private int partSize(int partNumber) {
      int steps = Math.min(20, (partNumber - 1) / PARTS_PER_SIZE_STEP);
      return (int) Math.min(MAX_PART_BYTES, (long) partBytes << steps);
    }

    private byte[] takePartBuffer(int partNumber) throws InterruptedException {
      int size = partSize(partNumber);
      byte[] buf = freeParts.poll();
      if (buf == null) {
        if (partBuffersAllocated.incrementAndGet() <= maxPartBuffers) {
          return new byte[size];
        }
        partBuffersAllocated.decrementAndGet();
        buf = freeParts.take();
      }
      // After a size step, smaller buffers are replaced as they come back.
      return buf.length == size ? buf : new byte[size];
    }

    private Future<?> submitPart(byte[] buf, int length) {
      int partNumber = ++partsSubmitted;
      if (partNumber > MAX_PARTS) {
        throw new IllegalStateException(
            "the dump needs more than " + MAX_PARTS + " parts; raise backup.partMiB");
      }
      return uploadPool.submit(
          () -> {
            try {
              uploadPart(partNumber, buf, length);
              storedUploaded.addAndGet(length);
              freeParts.put(buf);
            } catch (Throwable t) {
              pipeline.completeExceptionally(t);
              throw t;
            }
            return null;
          });
    }

    private void uploadPart(int partNumber, byte[] buf, int length) throws InterruptedException {
      for (int attempt = 1; ; attempt++) {
        long t0 = System.nanoTime();
        try {
          String etag =
              store
                  .client()
                  .uploadPart(
                      b ->
                          b.bucket(store.bucket())
                              .key(key)
                              .uploadId(uploadId)
                              .partNumber(partNumber)
                              .contentLength((long) length),
                      RequestBody.fromContentProvider(
                          () -> new ByteArrayInputStream(buf, 0, length),
                          length,
                          "application/octet-stream"))
                  .eTag();
          uploadClock.add(t0);
          completedParts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
          return;
        } catch (SdkClientException | S3Exception e) {
          uploadClock.add(t0);
          if (attempt >= PART_ATTEMPTS || !retryable(e) || pipeline.isDone()) {
            throw e;
          }
          log.warn(
              "part {} of {} failed (attempt {} of {}), retrying: {}",
              partNumber,
              key,
              attempt,
              PART_ATTEMPTS,
              e.toString());
          Thread.sleep(retryBackoff.toMillis() << (attempt - 1));
        }
      }
    }

    private boolean retryable(Exception e) {
      if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
        return false;
      }
      if (e instanceof S3Exception s3) {
        return s3.statusCode() >= 500 || s3.statusCode() == 429 || s3.statusCode() == 408;
      }
      return true; // connection trouble
    }

    /** Stops every thread, then aborts the multipart upload once no part can still land. */
    void abort(Throwable cause) {
      pipeline.completeExceptionally(cause);
      reader.interrupt();
      sequencer.interrupt();
      compressPool.shutdownNow();
      uploadPool.shutdownNow();
      try {
        source.close();
      } catch (IOException | RuntimeException e) {
        // best effort: it only helps a blocked reader finish sooner
      }
      try {
        if (!uploadPool.awaitTermination(30, TimeUnit.SECONDS)) {
          log.warn("part uploads of {} still running after abort; aborting anyway", key);
        }
        sequencer.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        store.abort(key, uploadId);
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
        log.warn("could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
      }
    }

    /** Frees native compression contexts once no compression can be running. */
    void release() {
      compressPool.shutdownNow();
      uploadPool.shutdownNow();
      try {
        if (compressPool.awaitTermination(10, TimeUnit.SECONDS)) {
          allContexts.forEach(ZstdCompressCtx::close);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
