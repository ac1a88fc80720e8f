package io.drflow.activities.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backup's chunks fetched on demand, in whatever order a streamed restore asks for them, rather
 * than downloaded front to back into a file. Every chunk goes through {@link ChunkDecoder} (its
 * SHA-256 checked before it is decompressed); decompressed chunks stay cached while some reader
 * still needs them (a chunk often holds the end of one table and the start of the next); and the
 * whole object's SHA-256 is still computed in stored order: chunks fetched out of order wait in a
 * bounded buffer, and those that did not fit are fetched once more by {@link #finishDigest()}.
 */
public final class StreamedChunks implements AutoCloseable {

  /** Decompressed chunks kept for later readers beyond those being read. */
  private static final int MAX_CACHED = 4;
  /** Stored bytes that may wait for the digest to reach them. */
  private static final long DIGEST_PENDING_BYTES = 64L << 20;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ObjectStore store;
  /** Null for a plain backup. */
  private final ChunkCipher cipher;
  private final Manifest.Dump dump;
  private final ChunkIndex index;
  private final List<ChunkIndex.Chunk> chunks;
  private final long[] rawStarts;
  private final ExecutorService pool;
  private final int concurrency;
  private final TransferMemory.Lease lease;
  private final Map<Integer, CompletableFuture<byte[]>> cache = new ConcurrentHashMap<>();
  private final AtomicIntegerArray users;
  private final Queue<ChunkDecoder> decoders = new ConcurrentLinkedQueue<>();
  private final Queue<ChunkDecoder> allDecoders = new ConcurrentLinkedQueue<>();
  private final AtomicLong fetched = new AtomicLong();

  // The whole-object digest, in stored order.
  private final MessageDigest digest = Sha256.newDigest();
  private final Map<Integer, byte[]> pending = new HashMap<>();
  private long pendingBytes;
  private int hashedUpTo;

  private StreamedChunks(
      ObjectStore store,
      Manifest.Dump dump,
      ChunkCipher cipher,
      ChunkIndex index,
      int concurrency,
      TransferMemory.Lease lease) {
    this.store = store;
    this.cipher = cipher;
    this.dump = dump;
    this.index = index;
    this.chunks = index.chunks();
    this.concurrency = concurrency;
    this.lease = lease;
    this.rawStarts = chunks.stream().mapToLong(ChunkIndex.Chunk::rawOffset).toArray();
    this.users = new AtomicIntegerArray(chunks.size());
    this.pool =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "drflow-stream-fetch-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Checks the object and its chunk index against the manifest and reserves buffer memory for
   * {@code readers} concurrent readers, each reading up to {@code ahead} chunks ahead.
   *
   * @param cipher the backup's cipher, or null when it is not encrypted
   * @param whileWaiting runs about every second while the worker's transfer memory is taken
   * @param indexCopy where the chunk index is kept between calls (null: nowhere), see {@link
   *     ChunkedDownloader#fetchIndex(ObjectStore, Manifest.Dump, Path)}
   */
  public static StreamedChunks open(
      ObjectStore store,
      Manifest.Dump dump,
      ChunkCipher cipher,
      int concurrency,
      int readers,
      int ahead,
      Runnable whileWaiting,
      Path indexCopy)
      throws IOException {
    long size =
        store
            .size(dump.key())
            .orElseThrow(
                () -> new BackupMissingException(dump.key(), "backup data object " + dump.key() + " does not exist"));
    if (size != dump.storedBytes()) {
      throw new ChecksumMismatchException(dump.key(), "size", dump.storedBytes() + " bytes", size + " bytes");
    }
    ChunkIndex index = ChunkedDownloader.fetchIndex(store, dump, indexCopy);
    long maxRaw = index.chunks().stream().mapToLong(ChunkIndex.Chunk::rawLength).max().orElse(0);
    long maxStored = index.chunks().stream().mapToLong(ChunkIndex.Chunk::storedLength).max().orElse(0);
    // Never more than the whole dump, raw and stored: small backups stream many at a time.
    long buffers =
        Math.min(
            (long) (readers * (ahead + 1) + MAX_CACHED) * maxRaw + concurrency * maxStored,
            dump.dumpBytes() + dump.storedBytes())
            + Math.min(DIGEST_PENDING_BYTES, dump.storedBytes());
    try {
      TransferMemory.Lease lease =
          TransferMemory.SHARED.acquire(buffers, Duration.ofSeconds(1), whileWaiting);
      return new StreamedChunks(store, dump, cipher, index, Math.max(1, concurrency), lease);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for memory to stream " + dump.key(), e);
    }
  }

  public String key() {
    return dump.key();
  }

  public ChunkIndex index() {
    return index;
  }

  public int chunkCount() {
    return chunks.size();
  }

  public ChunkIndex.Chunk chunk(int i) {
    return chunks.get(i);
  }

  /** The chunk holding raw byte {@code rawOffset}. */
  public int chunkAt(long rawOffset) {
    int i = Arrays.binarySearch(rawStarts, rawOffset);
    return i >= 0 ? i : -i - 2;
  }

  /** One more reader will ask for chunk {@code i} (and {@link #release} it): keep it cached. */
  public void expectReader(int i) {
    users.incrementAndGet(i);
  }

  /** Chunk {@code i}, verified and decompressed; fetched once while readers still expect it. */
  public CompletableFuture<byte[]> raw(int i) {
    return cache.computeIfAbsent(i, k -> CompletableFuture.supplyAsync(() -> load(k), pool));
  }

  /** The caller is done with chunk {@code i}. */
  public void release(int i) {
    if (users.decrementAndGet(i) <= 0 || cache.size() > MAX_CACHED + concurrency) {
      cache.remove(i);
    }
  }

  /** Stored bytes fetched so far. */
  public long bytesFetched() {
    return fetched.get();
  }

  /**
   * The raw bytes from the start of the dump until {@code complete} says they suffice (at most
   * {@code maxChunks} chunks), with the chunk index's raw patches that fall inside them applied.
   */
  public byte[] rawPrefix(java.util.function.Predicate<byte[]> complete, int maxChunks) throws IOException {
    byte[] out = new byte[0];
    for (int i = 0; i < Math.min(maxChunks, chunks.size()); i++) {
      byte[] raw = get(raw(i));
      byte[] longer = Arrays.copyOf(out, out.length + raw.length);
      System.arraycopy(raw, 0, longer, out.length, raw.length);
      out = longer;
      for (RawPatch p : index.rawPatches()) {
        byte[] r = p.replacementBytes();
        byte[] e = p.expectedBytes();
        if (p.rawOffset() + r.length <= out.length
            && Arrays.equals(out, (int) p.rawOffset(), (int) p.rawOffset() + e.length, e, 0, e.length)) {
          System.arraycopy(r, 0, out, (int) p.rawOffset(), r.length);
        }
      }
      cache.remove(i);
      if (complete.test(out)) {
        return out;
      }
    }
    return null;
  }

  /** The largest raw offset any raw patch touches, or -1 without patches. */
  public long rawPatchesEnd() {
    return index.rawPatches().stream()
        .mapToLong(p -> p.rawOffset() + p.replacementBytes().length)
        .max()
        .orElse(-1);
  }

  /**
   * Hashes the chunks the readers did not bring (or that did not fit in the digest's buffer) and
   * checks the whole object's SHA-256 against the manifest.
   *
   * @throws ChecksumMismatchException when it differs
   */
  public String finishDigest() throws IOException {
    List<Integer> missing = new ArrayList<>();
    synchronized (this) {
      for (int k = hashedUpTo; k < chunks.size(); k++) {
        if (!pending.containsKey(k)) {
          missing.add(k);
        }
      }
    }
    List<Future<byte[]>> futures = new ArrayList<>();
    int submitted = 0;
    for (int m = 0; m < missing.size(); m++) {
      while (submitted < missing.size() && submitted - m < concurrency * 2) {
        int k = missing.get(submitted++);
        futures.add(pool.submit(() -> fetchVerified(k)));
      }
      byte[] stored;
      try {
        stored = futures.get(m).get();
      } catch (ExecutionException e) {
        throw unwrap(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while hashing " + dump.key(), e);
      }
      futures.set(m, null);
      offer(missing.get(m), stored, true);
    }
    String actual;
    synchronized (this) {
      if (hashedUpTo != chunks.size()) {
        throw new IllegalStateException("digest stopped at chunk " + hashedUpTo + " of " + chunks.size());
      }
      actual = HexFormat.of().formatHex(digest.digest());
    }
    if (!actual.equals(dump.sha256())) {
      throw new ChecksumMismatchException(dump.key(), "SHA-256 of the whole object", dump.sha256(), actual);
    }
    return actual;
  }

  private byte[] load(int i) {
    byte[] stored = fetchStored(i);
    ChunkIndex.Chunk c = chunks.get(i);
    ChunkDecoder d = decoder();
    try {
      d.verify(i, c, stored, 0, stored.length);
      offer(i, stored, false);
      return d.decompress(i, c, stored, 0, stored.length);
    } finally {
      decoders.add(d);
    }
  }

  private byte[] fetchVerified(int i) {
    byte[] stored = fetchStored(i);
    ChunkDecoder d = decoder();
    try {
      d.verify(i, chunks.get(i), stored, 0, stored.length);
      return stored;
    } finally {
      decoders.add(d);
    }
  }

  private byte[] fetchStored(int i) {
    ChunkIndex.Chunk c = chunks.get(i);
    int length = Math.toIntExact(c.storedLength());
    byte[] stored = new byte[length];
    int n = store.readRange(dump.key(), c.storedOffset(), stored, 0, length);
    fetched.addAndGet(n);
    if (n != length) {
      throw new ChecksumMismatchException(
          dump.key(), "length of bytes " + c.storedOffset() + ".." + c.storedEnd(), length + " bytes", n + " bytes");
    }
    return stored;
  }

  /** Hashes verified stored bytes in order; out-of-order ones wait while they fit. */
  private synchronized void offer(int i, byte[] stored, boolean mustKeep) {
    if (i < hashedUpTo || pending.containsKey(i)) {
      return;
    }
    if (i == hashedUpTo) {
      digest.update(stored);
      hashedUpTo++;
      byte[] next;
      while ((next = pending.remove(hashedUpTo)) != null) {
        pendingBytes -= next.length;
        digest.update(next);
        hashedUpTo++;
      }
    } else if (mustKeep || pendingBytes + stored.length <= DIGEST_PENDING_BYTES) {
      pending.put(i, stored);
      pendingBytes += stored.length;
    }
  }

  private ChunkDecoder decoder() {
    ChunkDecoder d = decoders.poll();
    if (d == null) {
      d = new ChunkDecoder(dump.key(), cipher, chunks.size());
      allDecoders.add(d);
    }
    return d;
  }

  /** The value of a chunk's future, with the cause of a failure as thrown by the fetch. */
  public static byte[] get(CompletableFuture<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while streaming a backup", e);
    }
  }

  private static IOException unwrap(Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return cause instanceof IOException io ? io : new IOException(cause);
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      if (pool.awaitTermination(30, TimeUnit.SECONDS)) {
        allDecoders.forEach(ChunkDecoder::close);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cache.clear();
    lease.close();
  }
}
