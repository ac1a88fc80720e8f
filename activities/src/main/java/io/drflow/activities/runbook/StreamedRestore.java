package io.drflow.activities.runbook;

import io.drflow.activities.postgres.ArchiveOffsets;
import io.drflow.activities.postgres.DirectoryArchive;
import io.drflow.activities.postgres.PgException;
import io.drflow.activities.postgres.PgRestore;
import io.drflow.activities.storage.ChecksumMismatchException;
import io.drflow.activities.storage.ChunkCipher;
import io.drflow.activities.storage.Manifest;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.activities.storage.StreamedChunks;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores while downloading ({@code drill.restoreMode: stream}). The Download phase fetches only
 * the archive's head (header and TOC, usually the first chunk) and keeps it as {@value #HEAD_FILE};
 * the Restore phase rewrites it as a directory-format archive whose table data files are FIFOs,
 * runs {@code pg_restore -Fd -j<cores>} on it, and when pg_restore reports launching a table's
 * data, fetches the chunks holding that table's data block (ranged GETs, each chunk verified
 * before it is decompressed), strips the custom format's chunk framing and writes the rows into
 * the table's FIFO. So the COPYs start as soon as the tables exist instead of after the whole
 * dump is on disk, and the dump is never written to disk at all.
 *
 * <p>What stays as in the file path: every chunk's SHA-256 is checked before its bytes reach the
 * database; the whole object's SHA-256 is checked before the restore counts as done (a mismatch
 * fails it, and the scratch database is dropped); a retry drops the half-restored database and
 * starts over; the completion mark is written only after both checks.
 *
 * <p>A failed chunk must not look like the end of a table's data: a feeder that fails leaves its
 * FIFO open, and pg_restore is stopped (at the next tick) before any FIFO is closed.
 */
public final class StreamedRestore {

  private static final Logger log = LoggerFactory.getLogger(StreamedRestore.class);

  /** The archive's raw head (custom format, data offsets set), written by the Download phase. */
  public static final String HEAD_FILE = "head.pgc";

  static final String ARCHIVE_DIR = "archive";
  /** The dump's chunk index as the Download phase fetched it. */
  static final String INDEX_FILE = "chunks.json";
  /** The head is in the first chunks; a TOC bigger than this many falls back to the file path. */
  private static final int MAX_HEAD_CHUNKS = 8;
  /** Large objects are written to files before pg_restore starts; more than this: file path. */
  private static final long MAX_BLOB_BYTES = 256L << 20;
  /** Chunks each feeder asks for ahead of the one it writes. */
  private static final int AHEAD = 2;

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int FIFO_BUFFER = 256 * 1024;

  /** Counts the time spent in writes to a FIFO: pg_restore not reading fast enough. */
  private static final class TimedOutput extends java.io.FilterOutputStream {
    private final Timing timing;

    TimedOutput(OutputStream out, Timing timing) {
      super(out);
      this.timing = timing;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      long t0 = System.nanoTime();
      out.write(b, off, len);
      timing.writeNanos.addAndGet(System.nanoTime() - t0);
      timing.bytes.addAndGet(len);
    }
  }

  private StreamedRestore() {}

  /**
   * Where a streamed restore reads from: {@code dump}'s chunks in {@code store}, {@code
   * concurrency} ranged GETs at a time, opened with {@code cipher} (null: stored in the clear); and
   * the work directory {@code dir} holding the head between the Download and Restore phases.
   */
  public record Source(ObjectStore store, Manifest.Dump dump, ChunkCipher cipher, int concurrency, Path dir) {
    /** The Download phase keeps the chunk index here; the Restore reads it back, checked again. */
    StreamedChunks open(int readers, int ahead, Runnable tick) throws IOException {
      return StreamedChunks.open(store, dump, cipher, concurrency, readers, ahead, tick, dir.resolve(INDEX_FILE));
    }
  }

  /**
   * What the Download phase of a streamed restore did.
   *
   * @param problem why this backup cannot be streamed (the caller downloads the file instead), or
   *     null
   * @param bytesFetched stored bytes read from the bucket for the head
   */
  public record Head(String problem, long bytesFetched) {}

  /** The Download phase of a streamed restore: fetches the head and writes {@value #HEAD_FILE}. */
  public static Head fetchHead(Source source, Runnable tick) throws IOException {
    Manifest.Dump dump = source.dump();
    try (StreamedChunks chunks = source.open(1, 1, tick)) {
      byte[] head = chunks.rawPrefix(StreamedRestore::tocComplete, MAX_HEAD_CHUNKS);
      if (head == null) {
        return new Head("the archive's TOC is larger than " + MAX_HEAD_CHUNKS + " chunks", chunks.bytesFetched());
      }
      if (chunks.rawPatchesEnd() > head.length) {
        return new Head("the chunk index patches bytes beyond the archive's TOC", chunks.bytesFetched());
      }
      DirectoryArchive.Plan plan = DirectoryArchive.plan(head, chunks.index().rawBytes());
      if (plan.problem() != null) {
        return new Head(plan.problem(), chunks.bytesFetched());
      }
      long blobBytes =
          plan.items().stream().filter(DirectoryArchive.DataItem::blobs).mapToLong(i -> i.end() - i.start()).sum();
      if (blobBytes > MAX_BLOB_BYTES) {
        return new Head("its large objects take " + blobBytes + " bytes", chunks.bytesFetched());
      }
      Path tmp = source.dir().resolve(HEAD_FILE + ".tmp");
      Files.write(tmp, head);
      Files.move(tmp, source.dir().resolve(HEAD_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      log.info("{}: fetched the archive's head ({} bytes, {} data items); the data streams during the restore",
          dump.key(), head.length, plan.items().size());
      return new Head(null, chunks.bytesFetched());
    }
  }

  private static boolean tocComplete(byte[] b) {
    try {
      return ArchiveOffsets.readHead(b, b.length) != null;
    } catch (IOException unreadable) {
      return true; // DirectoryArchive.plan says why
    }
  }

  public static boolean prepared(Path dir) {
    return Files.isRegularFile(dir.resolve(HEAD_FILE));
  }

  /**
   * The Restore phase: see the class comment. Tables load their rows frozen where PostgreSQL
   * allows it ({@link DirectoryArchive#frozenCopy}); should a server refuse that all the same, the
   * restore starts over once with the COPY statements as dumped. {@code prepared} is {@link
   * PgRestore#prepare} of {@code request} running elsewhere (null: prepare here), awaited only
   * when pg_restore is about to start.
   */
  public static PgRestore.Result restore(
      Source source,
      PgRestore restorer,
      PgRestore.Request request,
      Future<PgRestore.Prepared> prepared,
      Runnable tick,
      IntConsumer finishedItem)
      throws IOException {
    return withFreezeFallback(
        request.database(),
        request.jobs() > 1,
        (freeze, retry) -> {
          // A retry replaces the half-restored database the first attempt created.
          PgRestore.Request r = retry ? request.replacingFrom(request.dumpFile()) : request;
          Supplier<PgRestore.Prepared> ready =
              retry || prepared == null ? () -> restorer.prepare(r) : () -> await(prepared);
          return restore(source, restorer, r, ready, tick, finishedItem, freeze);
        });
  }

  /** The outcome of a preparation running on another thread, its failure as if thrown here. */
  static PgRestore.Prepared await(Future<PgRestore.Prepared> prepared) {
    try {
      return prepared.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new PgException(PgException.Kind.TRANSIENT, "preparing the restore failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgException(PgException.Kind.TRANSIENT, "interrupted while the database was being prepared", e);
    }
  }

  /** One restore attempt, loading rows frozen or not; {@code retry} after a refused first one. */
  public interface Attempt<T> {
    T run(boolean freezeRows, boolean retry) throws IOException;
  }

  /**
   * Runs {@code attempt} with frozen rows when {@code freeze}; if PostgreSQL refuses COPY FREEZE
   * (pg_restore's error names it), once more without.
   */
  public static <T> T withFreezeFallback(String database, boolean freeze, Attempt<T> attempt) throws IOException {
    if (!freeze) {
      return attempt.run(false, false);
    }
    try {
      return attempt.run(true, false);
    } catch (PgException e) {
      if (e.getMessage() == null || !e.getMessage().contains("COPY FREEZE")) {
        throw e;
      }
      log.warn("{}: the server refused to load rows frozen; restoring again with the COPY statements"
          + " as dumped: {}", database, e.getMessage());
      return attempt.run(false, true);
    }
  }

  static PgRestore.Result restore(
      Source source,
      PgRestore restorer,
      PgRestore.Request request,
      Supplier<PgRestore.Prepared> prepare,
      Runnable tick,
      IntConsumer finishedItem,
      boolean freezeRows)
      throws IOException {
    long began = System.nanoTime();
    Manifest.Dump dump = source.dump();
    byte[] head = Files.readAllBytes(source.dir().resolve(HEAD_FILE));
    Path archive = source.dir().resolve(ARCHIVE_DIR);
    deleteTree(archive);
    Files.createDirectories(archive);
    try (StreamedChunks chunks = source.open(request.jobs(), AHEAD, tick)) {
      long indexRead = System.nanoTime();
      DirectoryArchive.Plan plan = DirectoryArchive.plan(head, chunks.index().rawBytes(), freezeRows);
      if (plan.problem() != null) {
        throw new ChecksumMismatchException(dump.key(), "the archive's head no longer reads: " + plan.problem());
      }
      Files.write(archive.resolve("toc.dat"), plan.tocDat());
      log.debug("{}: {} of {} data items load their rows frozen", dump.key(), plan.frozenCopies(), plan.items().size());
      Map<Integer, DirectoryArchive.DataItem> tables = new ConcurrentHashMap<>();
      List<Path> fifos = new ArrayList<>();
      for (DirectoryArchive.DataItem item : plan.items()) {
        if (item.blobs()) {
          writeBlobs(chunks, plan.intSize(), item, archive);
        } else {
          tables.put(item.dumpId(), item);
          fifos.add(archive.resolve(item.fileName()));
          for (int k = chunks.chunkAt(item.start()); k <= chunks.chunkAt(item.end() - 1); k++) {
            chunks.expectReader(k);
          }
        }
      }
      long planned = System.nanoTime();
      mkfifo(fifos);
      long fifosMade = System.nanoTime();
      // pg_restore launches table data in dump id order once the schema exists: fetch the first
      // chunks while the database is created and the schema restored, so no COPY starts waiting.
      tables.values().stream()
          .sorted(Comparator.comparingInt(DirectoryArchive.DataItem::dumpId))
          .mapToInt(i -> chunks.chunkAt(i.start()))
          .distinct()
          .limit(request.jobs() * (AHEAD + 1L))
          .forEach(chunks::raw);
      Map<String, List<Integer>> byName = new java.util.HashMap<>();
      ArchiveOffsets.readHead(head, head.length).items().stream()
          .filter(i -> tables.containsKey(i.dumpId()))
          .forEach(i -> byName.computeIfAbsent(i.namespace() + "." + i.tag(), k -> new ArrayList<>()).add(i.dumpId()));
      log.info("{}: streamed restore prepared in {} ms (chunk index {}, TOC {}, {} FIFOs {})", request.database(),
          (System.nanoTime() - began) / 1_000_000, (indexRead - began) / 1_000_000, (planned - indexRead) / 1_000_000,
          fifos.size(), (fifosMade - planned) / 1_000_000);
      try (Feeders feeders = new Feeders(chunks, plan.intSize(), archive, tables)) {
        PgRestore.Result r =
            restorer.restore(
                new PgRestore.Request(
                    request.server(),
                    request.database(),
                    archive,
                    request.roles(),
                    request.jobs(),
                    request.replaceExisting(),
                    request.dumpedByVersion(),
                    request.completionMark()),
                prepare.get(),
                Heartbeat.EVERY,
                () -> {
                  feeders.throwIfCorrupt();
                  tick.run();
                },
                new PgRestore.Listener() {
                  @Override
                  public void itemLaunched(int dumpId) {
                    feeders.launch(dumpId);
                  }

                  @Override
                  public void tableDataStarting(String qualifiedName) {
                    // Names may contain dots: launching every match is harmless (a feeder only
                    // ever writes its own table's data, once pg_restore opens that FIFO).
                    for (int id : byName.getOrDefault(qualifiedName, List.of())) {
                      feeders.launch(id);
                    }
                  }

                  @Override
                  public void itemFinished(int dumpId) {
                    if (finishedItem != null) {
                      finishedItem.accept(dumpId);
                    }
                  }

                  @Override
                  public void beforeCompletion() {
                    try {
                      feeders.awaitAll(tables.keySet(), tick);
                      long d0 = System.nanoTime();
                      chunks.finishDigest();
                      log.info("{}: restored while streaming, {} of {} stored bytes fetched; whole-object"
                              + " SHA-256 verified ({} ms after pg_restore); {}",
                          dump.key(), chunks.bytesFetched(), dump.storedBytes(), (System.nanoTime() - d0) / 1_000_000,
                          feeders.timing);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }
                });
        return r;
      }
    } finally {
      deleteTree(archive);
    }
  }

  /** Large objects: blobs.toc and one file per object, before pg_restore starts. */
  private static void writeBlobs(StreamedChunks chunks, int intSize, DirectoryArchive.DataItem item, Path archive)
      throws IOException {
    StringBuilder toc = new StringBuilder();
    OutputStream[] current = new OutputStream[1];
    DirectoryArchive.BlockReader reader =
        new DirectoryArchive.BlockReader(
            intSize,
            item,
            new DirectoryArchive.Sink() {
              @Override
              public void data(byte[] b, int off, int len) throws IOException {
                current[0].write(b, off, len);
              }

              @Override
              public void blobStart(long oid) throws IOException {
                String name = "blob_" + oid + ".dat";
                toc.append(oid).append(' ').append(name).append('\n');
                current[0] = new BufferedOutputStream(Files.newOutputStream(archive.resolve(name)));
              }

              @Override
              public void blobEnd() throws IOException {
                current[0].close();
                current[0] = null;
              }
            });
    readBlock(chunks, item, reader, true);
    Files.writeString(archive.resolve("blobs.toc"), toc);
  }

  /** Feeds {@code item}'s block, chunk by chunk, asking for the next ones ahead. */
  private static void readBlock(
      StreamedChunks chunks, DirectoryArchive.DataItem item, DirectoryArchive.BlockReader reader, boolean release)
      throws IOException {
    readBlock(chunks, item, reader, release, new Timing());
  }

  /**
   * Where a feeder's time goes: waiting for chunks (fetch, verify, decompress: drflow is the
   * bottleneck) or in writes to the FIFO (pg_restore and its COPY are).
   */
  static final class Timing {
    final java.util.concurrent.atomic.AtomicLong waitNanos = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong writeNanos = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public String toString() {
      return bytes.get() + " bytes written to FIFOs; waiting for chunks " + waitNanos.get() / 1_000_000
          + " ms, blocked writing " + writeNanos.get() / 1_000_000 + " ms (summed over feeders)";
    }
  }

  private static void readBlock(
      StreamedChunks chunks, DirectoryArchive.DataItem item, DirectoryArchive.BlockReader reader, boolean release,
      Timing timing)
      throws IOException {
    int first = chunks.chunkAt(item.start());
    int last = chunks.chunkAt(item.end() - 1);
    for (int k = first; k <= last; k++) {
      for (int a = k + 1; a <= Math.min(last, k + AHEAD); a++) {
        chunks.raw(a);
      }
      long t0 = System.nanoTime();
      byte[] raw = StreamedChunks.get(chunks.raw(k));
      timing.waitNanos.addAndGet(System.nanoTime() - t0);
      long base = chunks.chunk(k).rawOffset();
      int from = (int) Math.max(0, item.start() - base);
      int to = (int) Math.min(raw.length, item.end() - base);
      reader.accept(raw, from, to - from);
      if (release) {
        chunks.release(k);
      }
    }
    if (!reader.done()) {
      throw new ChecksumMismatchException(
          chunks.key(), "the data block of TOC entry " + item.dumpId() + " ends early");
    }
  }

  private static void mkfifo(List<Path> fifos) throws IOException {
    for (int i = 0; i < fifos.size(); i += 500) {
      List<String> cmd = new ArrayList<>(List.of("mkfifo", "-m", "600", "--"));
      fifos.subList(i, Math.min(fifos.size(), i + 500)).forEach(p -> cmd.add(p.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try {
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IOException("mkfifo failed: " + out.strip());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while creating FIFOs", e);
      }
    }
  }

  private static void deleteTree(Path d) throws IOException {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One thread per table whose data pg_restore is reading. */
  private static final class Feeders implements AutoCloseable {
    private final StreamedChunks chunks;
    private final int intSize;
    private final Path archive;
    private final Map<Integer, DirectoryArchive.DataItem> tables;
    private final ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "drflow-stream-feed-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    private final Map<Integer, State> states = new ConcurrentHashMap<>();
    /** Streams of feeders that failed: closed only once pg_restore is gone (see class comment). */
    private final List<OutputStream> heldOpen = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<RuntimeException> corrupt = new AtomicReference<>();
    private final AtomicReference<Exception> failed = new AtomicReference<>();
    final Timing timing = new Timing();

    private enum State { OPENING, WRITING, DONE, FAILED }

    Feeders(StreamedChunks chunks, int intSize, Path archive, Map<Integer, DirectoryArchive.DataItem> tables) {
      this.chunks = chunks;
      this.intSize = intSize;
      this.archive = archive;
      this.tables = tables;
    }

    void launch(int dumpId) {
      DirectoryArchive.DataItem item = tables.get(dumpId);
      if (item == null || states.putIfAbsent(dumpId, State.OPENING) != null) {
        return;
      }
      pool.execute(() -> feed(item));
    }

    private void feed(DirectoryArchive.DataItem item) {
      OutputStream out = null;
      try {
        // Blocks until pg_restore opens the FIFO for reading.
        FileOutputStream fifo = new FileOutputStream(archive.resolve(item.fileName()).toFile());
        // pg_dump writes a chunk per row: without a buffer that is a write() per row.
        out = new BufferedOutputStream(new TimedOutput(fifo, timing), FIFO_BUFFER);
        states.put(item.dumpId(), State.WRITING);
        readBlock(chunks, item, new DirectoryArchive.BlockReader(intSize, item, out::write), true, timing);
        out.close();
        states.put(item.dumpId(), State.DONE);
      } catch (RuntimeException e) {
        // A checksum mismatch or a missing object: pg_restore must not see an end of data.
        corrupt.compareAndSet(null, e);
        fail(item, out, e);
      } catch (IOException e) {
        // Mostly a broken pipe: pg_restore stopped reading, and its exit says why.
        fail(item, out, e);
      }
    }

    private void fail(DirectoryArchive.DataItem item, OutputStream out, Exception e) {
      failed.compareAndSet(null, e);
      states.put(item.dumpId(), State.FAILED);
      if (out != null) {
        heldOpen.add(out);
      }
      log.warn("streaming the data of TOC entry {} failed: {}", item.dumpId(), e.toString());
    }

    void throwIfCorrupt() {
      RuntimeException e = corrupt.get();
      if (e != null) {
        throw e;
      }
    }

    /** After pg_restore succeeded: every table's data must have been written whole. */
    void awaitAll(java.util.Set<Integer> ids, Runnable tick) throws IOException {
      for (int id : ids) {
        long waited = 0;
        while (states.get(id) != State.DONE) {
          State s = states.get(id);
          if (s == null) {
            throw new IOException("pg_restore never read the data of TOC entry " + id);
          }
          if (s == State.FAILED) {
            throwIfCorrupt();
            throw new IOException("streaming the data of TOC entry " + id + " failed", failed.get());
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
          if ((waited += 10) % 2000 == 0) {
            tick.run();
          }
        }
      }
    }

    /** pg_restore is gone: release feeders still waiting for it to open their FIFO, close the rest. */
    @Override
    public void close() {
      states.forEach(
          (id, s) -> {
            if (s == State.OPENING) {
              // Read-write: on Linux that open never waits for a writer (a read-only one would
              // wait forever if the feeder got past its open meanwhile), and it lets a feeder
              // waiting in its own open go on, to a broken pipe once this closes.
              try (java.io.RandomAccessFile unblock =
                  new java.io.RandomAccessFile(archive.resolve(tables.get(id).fileName()).toFile(), "rw")) {
                // nothing to read
              } catch (IOException ignored) {
                // the FIFO is gone: nothing waits on it
              }
            }
          });
      synchronized (heldOpen) {
        for (OutputStream o : heldOpen) {
          try {
            o.close();
          } catch (IOException ignored) {
            // a broken pipe
          }
        }
      }
      pool.shutdownNow();
      try {
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("stream feeders still running 10 s after pg_restore ended");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
