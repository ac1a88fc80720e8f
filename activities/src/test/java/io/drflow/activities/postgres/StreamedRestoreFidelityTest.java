package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.runbook.StreamedRestore;
import io.drflow.activities.storage.ChecksumMismatchException;
import io.drflow.activities.storage.Manifest;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.activities.storage.RawObserver;
import io.drflow.activities.storage.RawPatch;
import io.drflow.activities.storage.StreamFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fidelity corpus restored the streamed way: the backup is uploaded in small chunks (so tables
 * span chunks and chunks hold several tables), only its head is fetched before the restore, and
 * each table's data is fetched while pg_restore -Fd -j2 reads it from a FIFO. Every check of
 * {@link BackupRestoreFidelityTest} must hold as for the downloaded file.
 */
class StreamedRestoreFidelityTest extends BackupRestoreFidelityTest {

  static S3ProxyServer s3;
  static ObjectStore store;
  static Manifest.Dump dump;
  static final Set<Integer> finished = ConcurrentHashMap.newKeySet();
  static Path streamDir;

  @BeforeAll
  static void backupAndRestore() throws Exception {
    a = LocalPostgresCluster.start();
    b = LocalPostgresCluster.start();
    connA = a.connections();
    connB = b.connections();
    a.psql("postgres", "create database " + SOURCE_DB);
    a.psql(SOURCE_DB, CORPUS);
    backup = PgTestSupport.backup(connA, a.postgresConfig(SOURCE_DB), work.resolve("corpus.dump"), 2);
    s3 = StreamFixtures.s3proxy(Files.createDirectories(work.resolve("s3")));
    store = StreamFixtures.store(s3);
    dump = StreamFixtures.upload(store, backup.file(), "svc/b1/dump.zst", 16 * 1024, new OffsetRecorder());
    assertThat(dump.chunks()).isGreaterThan(10);
    streamDir = Files.createDirectories(work.resolve("stream"));
    StreamedRestore.Head head = StreamedRestore.fetchHead(new StreamedRestore.Source(store, dump, null, 3, streamDir), () -> {});
    assertThat(head.problem()).isNull();
    assertThat(head.bytesFetched()).isPositive().isLessThan(dump.storedBytes()); // the head's chunks only
    restored = StreamedRestore.restore(new StreamedRestore.Source(store, dump, null, 3, streamDir), new PgRestore(connB, null),
        new PgRestore.Request(b.serverConfig(), RESTORED_DB, null, backup.globals().roles(), 2, false,
            null, "streamed"),
        null, () -> {}, finished::add);
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (store != null) {
      store.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void pgRestoreReportedTheStreamedItemsAndTheMarkIsSet() throws Exception {
    var items = ArchiveOffsets.tocItems(streamDir.resolve(StreamedRestore.HEAD_FILE));
    assertThat(items.values()).filteredOn(i -> i.desc().equals("TABLE DATA"))
        .allSatisfy(i -> assertThat(finished).contains(i.dumpId()));
    try (var c = connB.open(b.serverConfig())) {
      assertThat(PgDatabases.comment(c, RESTORED_DB)).isEqualTo("streamed");
    }
    assertThat(streamDir.resolve("archive")).doesNotExist();
  }

  @Test
  void theTocIsWhatPgDumpWritesForTheDirectoryFormat() throws Exception {
    // Both dumps now, one after the other: other tests move the source's sequences.
    Path dir = work.resolve("pg_dump-Fd");
    Path custom = work.resolve("pg_dump-Fc.pgc");
    pgDump("--format=directory", "--file=" + dir);
    pgDump("--format=custom", "--file=" + custom);
    byte[] head = Files.readAllBytes(custom);
    DirectoryArchive.Plan plan = DirectoryArchive.plan(head, head.length);
    assertThat(plan.problem()).isNull();
    byte[] ours = plan.tocDat();
    byte[] theirs = Files.readAllBytes(dir.resolve("toc.dat"));
    assertThat(ours).hasSameSizeAs(theirs);
    // Only the header's creation time (7 integers after the compression) may differ.
    ArchiveOffsets.Head h = ArchiveOffsets.readHead(head, head.length);
    int intBytes = 1 + h.intSize();
    int dateStart = h.formatAt() + 1 + (h.version() >= ArchiveOffsets.version(1, 15, 0) ? 1 : intBytes);
    int dateEnd = dateStart + 7 * intBytes;
    assertThat(java.util.Arrays.copyOfRange(ours, 0, dateStart))
        .isEqualTo(java.util.Arrays.copyOfRange(theirs, 0, dateStart));
    assertThat(java.util.Arrays.copyOfRange(ours, dateEnd, ours.length))
        .isEqualTo(java.util.Arrays.copyOfRange(theirs, dateEnd, theirs.length));
    assertThat(plan.items()).extracting(DirectoryArchive.DataItem::fileName)
        .allSatisfy(name -> assertThat(dir.resolve(name)).exists());
  }

  @Test
  void partitionsLoadedThroughTheirRootKeepTheirStatements() throws Exception {
    Path custom = work.resolve("pg_dump-via-root.pgc");
    pgDump("--format=custom", "--load-via-partition-root", "--file=" + custom);
    byte[] head = Files.readAllBytes(custom);
    ArchiveOffsets.Head h = ArchiveOffsets.readHead(head, head.length);
    long tableData = h.entries().stream().filter(e -> "TABLE DATA".equals(e.desc())).count();
    // app.events has three partitions: their rows go through app.events, which FREEZE refuses.
    assertThat(DirectoryArchive.plan(head, head.length, true).frozenCopies()).isEqualTo((int) tableData - 3);
  }

  private static void pgDump(String... args) {
    PgTools tools = PgTools.forServer(null, a.majorVersion() * 10000);
    List<String> all = new ArrayList<>(List.of("--compress=0", "--no-password"));
    all.addAll(List.of(args));
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump"))
        .args(all)
        .environment(connA.environment(a.postgresConfig(SOURCE_DB)))
        .start()) {
      p.awaitSuccess();
    }
  }

  @Test
  void everyTablesRowsLoadFrozenAndTheDumpedStatementsStayForOtherPaths() throws Exception {
    byte[] head = Files.readAllBytes(streamDir.resolve(StreamedRestore.HEAD_FILE));
    ArchiveOffsets.Head h = ArchiveOffsets.readHead(head, head.length);
    long tableData = h.entries().stream().filter(e -> "TABLE DATA".equals(e.desc())).count();
    long rawBytes = Files.size(backup.file());
    DirectoryArchive.Plan frozen = DirectoryArchive.plan(head, rawBytes, true);
    assertThat(frozen.problem()).isNull();
    assertThat(frozen.frozenCopies()).isEqualTo((int) tableData).isGreaterThan(5);
    assertThat(DirectoryArchive.plan(head, rawBytes, false).frozenCopies()).isZero();
    assertThat(DirectoryArchive.plan(head, rawBytes).tocDat())
        .isEqualTo(DirectoryArchive.plan(head, rawBytes, false).tocDat());

    // Restored on its own (the extension that reads the visibility map changes the catalog).
    Path dir = Files.createDirectories(work.resolve("frozen"));
    assertThat(StreamedRestore.fetchHead(new StreamedRestore.Source(store, dump, null, 3, dir), () -> {}).problem()).isNull();
    StreamedRestore.restore(new StreamedRestore.Source(store, dump, null, 3, dir), new PgRestore(connB, null),
        new PgRestore.Request(b.serverConfig(), "frozen_copy", null, backup.globals().roles(), 2, false, null, "done"),
        null, () -> {}, id -> {});
    assertThat(PgTestSupport.tableChecksums(connB, b.postgresConfig("frozen_copy")))
        .isEqualTo(PgTestSupport.tableChecksums(connB, b.postgresConfig(RESTORED_DB)));
    b.psql("frozen_copy", "create extension pg_visibility");
    String notFrozen = b.psql("frozen_copy", """
        select coalesce(string_agg(format('%s: %s of %s pages', c.oid::regclass, v.all_frozen,
                 pg_relation_size(c.oid) / current_setting('block_size')::int), '; '), 'none')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace,
             lateral pg_visibility_map_summary(c.oid) v
        where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
          and v.all_frozen < pg_relation_size(c.oid) / current_setting('block_size')::int
        """).strip();
    assertThat(notFrozen).isEqualTo("none");
    String tablesWithRows = b.psql("frozen_copy", """
        select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
          and pg_relation_size(c.oid) > 0
        """).strip();
    assertThat(Integer.parseInt(tablesWithRows)).isGreaterThan(5);
  }

  @Test
  void aServerRefusingFrozenRowsGetsTheStatementsAsDumped() throws Exception {
    // The refusal as PostgreSQL words it, from the server itself.
    String refusal;
    try (var c = connB.open(b.serverConfig()); var st = c.createStatement()) {
      st.execute("create temporary table never_truncated (a int)");
      try {
        st.execute("copy never_truncated from program 'true' with (freeze)");
        throw new AssertionError("COPY FREEZE into an old table was accepted");
      } catch (java.sql.SQLException e) {
        refusal = e.getMessage();
      }
    }
    assertThat(refusal).contains("COPY FREEZE");
    List<Boolean> attempts = new ArrayList<>();
    List<Boolean> retries = new ArrayList<>();
    String result = StreamedRestore.withFreezeFallback("db", true, (freeze, retry) -> {
      attempts.add(freeze);
      retries.add(retry);
      if (freeze) {
        throw new PgException(PgException.Kind.BAD_INPUT, "pg_restore failed: pg_restore: error: " + refusal);
      }
      return "restored";
    });
    assertThat(result).isEqualTo("restored");
    assertThat(attempts).containsExactly(true, false);
    assertThat(retries).containsExactly(false, true);

    // Other failures are not retried, and a restore not asked to freeze runs once.
    attempts.clear();
    assertThatThrownBy(() -> StreamedRestore.withFreezeFallback("db", true, (freeze, retry) -> {
      attempts.add(freeze);
      throw new PgException(PgException.Kind.BAD_INPUT, "pg_restore: error: relation already exists");
    })).hasMessageContaining("already exists");
    assertThat(attempts).containsExactly(true);
    attempts.clear();
    retries.clear();
    StreamedRestore.withFreezeFallback("db", false, (freeze, retry) -> attempts.add(freeze) && retries.add(retry));
    assertThat(attempts).containsExactly(false);
    assertThat(retries).containsExactly(false);
  }

  @Test
  void anEncryptedBackupStreamsThroughTheSameStep() throws Exception {
    var cipher = StreamFixtures.cipher("b3");
    Manifest.Dump sealed =
        StreamFixtures.upload(store, backup.file(), "svc/b3/dump.zst", 16 * 1024, new OffsetRecorder(), cipher);
    Path dir = Files.createDirectories(work.resolve("sealed"));
    assertThat(StreamedRestore.fetchHead(new StreamedRestore.Source(store, sealed, cipher, 3, dir), () -> {}).problem()).isNull();
    StreamedRestore.restore(new StreamedRestore.Source(store, sealed, cipher, 3, dir), new PgRestore(connB, null),
        new PgRestore.Request(b.serverConfig(), "sealed_copy", null, backup.globals().roles(), 2, false, null, "done"),
        null, () -> {}, id -> {});
    assertThat(PgTestSupport.tableChecksums(connB, b.postgresConfig("sealed_copy")))
        .isEqualTo(PgTestSupport.tableChecksums(connB, b.postgresConfig(RESTORED_DB)));
    // Without the key the head cannot even be read.
    assertThatThrownBy(() -> StreamedRestore.fetchHead(
            new StreamedRestore.Source(store, sealed, null, 3, Files.createDirectories(work.resolve("unsealed"))),
            () -> {}))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void aCorruptChunkFailsTheRestoreAndNoTableSeesAnEndOfData() throws Exception {
    Manifest.Dump copy =
        StreamFixtures.upload(store, backup.file(), "svc/b2/dump.zst", 16 * 1024, new OffsetRecorder());
    byte[] stored = store.getBytes(copy.key()).orElseThrow();
    stored[stored.length / 2] ^= 0x55; // inside some table's data
    store.putBytes(copy.key(), stored, "application/zstd");
    Path dir = Files.createDirectories(work.resolve("corrupt"));
    assertThat(StreamedRestore.fetchHead(new StreamedRestore.Source(store, copy, null, 3, dir), () -> {}).problem()).isNull();

    assertThatThrownBy(() -> StreamedRestore.restore(new StreamedRestore.Source(store, copy, null, 3, dir), new PgRestore(connB, null),
            new PgRestore.Request(b.serverConfig(), "corrupt_copy", null, null, 2, false, null, "done"),
            null, () -> {}, id -> {}))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("SHA-256 of chunk");
    try (var c = connB.open(b.serverConfig())) {
      assertThat(PgDatabases.comment(c, "corrupt_copy")).isNotEqualTo("done");
    }
    assertThat(dir.resolve("archive")).doesNotExist();
  }

  /** What the backup activity records while the dump streams: the data offsets. */
  static final class OffsetRecorder implements RawObserver {
    private final ArchiveOffsets.Scanner scanner = new ArchiveOffsets.Scanner();

    @Override
    public void accept(byte[] b, int off, int len) {
      scanner.accept(b, off, len);
    }

    @Override
    public List<RawPatch> finish() {
      List<RawPatch> out = new ArrayList<>();
      for (ArchiveOffsets.Patch p : scanner.finish()) {
        out.add(RawPatch.of(p.position(), p.expected(), p.replacement()));
      }
      return out;
    }
  }
}
