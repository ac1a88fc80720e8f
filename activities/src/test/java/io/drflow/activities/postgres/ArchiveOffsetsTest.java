package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data offsets of streamed dumps, against real pg_dump output: a dump piped from the same snapshot
 * and patched must be the archive pg_dump writes to a file, byte for byte after the header's
 * timestamp.
 */
class ArchiveOffsetsTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static PostgresConfig source;
  static PgTools tools;
  @TempDir static Path work;
  static Path piped;
  static Path written;

  @BeforeAll
  static void dumpTheSameSnapshotTwice() throws Exception {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    cluster.psql("postgres", "create database src");
    cluster.psql(
        "src",
        """
        create table big as select g as id, md5(g::text) as note from generate_series(1, 60000) g;
        create table empty_one (x int);
        create table "Odd \"\"name\"\"" (v text);
        insert into "Odd \"\"name\"\"" values (E'tab\\there'), ('line\\nbreak'), (null);
        create table parted (id int, at date) partition by range (at);
        create table parted_2025 partition of parted for values from ('2025-01-01') to ('2026-01-01');
        create table parted_2026 partition of parted for values from ('2026-01-01') to ('2027-01-01');
        insert into parted select g, date '2025-06-01' + (g % 400) from generate_series(1, 5000) g;
        create materialized view big_count as select count(*) from big;
        create sequence s; select setval('s', 42);
        select lo_from_bytea(0, convert_to(repeat('large object ', 1000), 'UTF8'));
        """);
    source = cluster.postgresConfig("src");
    try (SnapshotSession snapshot = SnapshotSession.open(conns, source)) {
      tools = PgTools.forServer(null, snapshot.serverVersionNum());
      piped = work.resolve("piped.pgc");
      try (PgProcess dump = PgDump.start(tools, conns, snapshot);
          OutputStream out = Files.newOutputStream(piped)) {
        dump.stdout().transferTo(out);
        dump.awaitSuccess();
      }
      written = work.resolve("written.pgc");
      try (PgProcess p =
          PgProcess.builder(tools.binary("pg_dump"))
              .args(
                  "--format=custom", "--compress=0", "--no-password",
                  "--snapshot=" + snapshot.snapshotId(), "--file=" + written)
              .environment(conns.environment(source))
              .start()) {
        p.awaitSuccess();
      }
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void patchingAPipedDumpGivesTheArchivePgDumpWritesToAFile() throws Exception {
    byte[] bytes = Files.readAllBytes(piped);
    // Pieces of every size, so fields straddle every kind of boundary.
    Random r = new Random(7);
    ArchiveOffsets.Scanner scanner = new ArchiveOffsets.Scanner();
    int at = 0;
    while (at < bytes.length) {
      int n = Math.min(bytes.length - at, r.nextInt(5) == 0 ? 1 + r.nextInt(3) : 1 + r.nextInt(9000));
      scanner.accept(bytes, at, n);
      at += n;
    }
    List<ArchiveOffsets.Patch> patches = scanner.finish();
    assertThat(scanner.problem()).isNull();
    // big, empty_one, "Odd ""name""", both partitions, the large objects: each has a data block.
    assertThat(patches).hasSizeGreaterThanOrEqualTo(6);

    Path copy = work.resolve("patched.pgc");
    Files.write(copy, bytes);
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertThat(ArchiveOffsets.apply(ch, patches)).isEqualTo(patches.size());
      assertThat(ArchiveOffsets.apply(ch, patches)).as("already in place").isZero();
    }
    assertThat(differingPositions(Files.readAllBytes(copy), Files.readAllBytes(written)))
        .as("only the header's creation time may differ")
        .allMatch(p -> p < 64);
  }

  @Test
  void ensureWritesMissingOffsetsOnceAndLeavesCompleteArchivesAlone() throws Exception {
    Path copy = work.resolve("ensured.pgc");
    Files.copy(piped, copy);
    ArchiveOffsets.Outcome first = ArchiveOffsets.ensure(copy);
    assertThat(first.problem()).isNull();
    assertThat(first.alreadySet()).isZero();
    assertThat(first.patched()).isEqualTo(first.dataEntries()).isPositive();

    ArchiveOffsets.Outcome second = ArchiveOffsets.ensure(copy);
    assertThat(second.patched()).isZero();
    assertThat(second.alreadySet()).isEqualTo(first.dataEntries());

    byte[] before = Files.readAllBytes(written);
    ArchiveOffsets.Outcome fromFile = ArchiveOffsets.ensure(written);
    assertThat(fromFile.patched()).isZero();
    assertThat(fromFile.alreadySet()).isEqualTo(first.dataEntries());
    assertThat(Files.readAllBytes(written)).isEqualTo(before);
  }

  @Test
  void aPatchedDumpRestoresInParallelWithEveryRow() throws Exception {
    Path copy = work.resolve("restore-me.pgc");
    Files.copy(piped, copy);
    ArchiveOffsets.ensure(copy);
    new PgRestore(conns, null)
        .restore(new PgRestore.Request(cluster.serverConfig(), "restored", copy, null, 2, false));
    PostgresConfig restored = cluster.postgresConfig("restored");
    assertThat(PgTestSupport.tableChecksums(conns, restored))
        .isEqualTo(PgTestSupport.tableChecksums(conns, source));
    assertThat(PgTestSupport.single(conns, restored, "select count(*) from pg_largeobject_metadata"))
        .isEqualTo("1");
  }

  @Test
  void whatIsNotACompleteArchiveGetsNoPatchesAndIsNotTouched() throws Exception {
    byte[] bytes = Files.readAllBytes(piped);

    ArchiveOffsets.Scanner truncated = new ArchiveOffsets.Scanner();
    truncated.accept(bytes, 0, bytes.length - 3);
    assertThat(truncated.finish()).isEmpty();
    assertThat(truncated.problem()).contains("ends inside");

    ArchiveOffsets.Scanner notADump = new ArchiveOffsets.Scanner();
    byte[] text = "-- PostgreSQL database dump\nselect 1;\n".getBytes();
    notADump.accept(text, 0, text.length);
    assertThat(notADump.finish()).isEmpty();
    assertThat(notADump.problem()).contains("not a pg_dump custom-format archive");

    Path plain = work.resolve("plain.sql");
    Files.write(plain, text);
    assertThat(ArchiveOffsets.ensure(plain).problem()).isNotNull();
    assertThat(Files.readAllBytes(plain)).isEqualTo(text);

    // A data block header that makes no sense: the scanner stops rather than guess.
    ArchiveOffsets.Scanner head = new ArchiveOffsets.Scanner();
    head.accept(bytes, 0, bytes.length);
    Path damaged = work.resolve("damaged.pgc");
    byte[] broken = bytes.clone();
    long firstBlock = new ArrayList<>(head.blocks().values()).stream().mapToLong(Long::longValue).min().orElseThrow();
    broken[(int) firstBlock] = 9;
    Files.write(damaged, broken);
    ArchiveOffsets.Outcome o = ArchiveOffsets.ensure(damaged);
    assertThat(o.problem()).contains("unknown data block type 9");
    assertThat(o.patched()).isZero();
    assertThat(Files.readAllBytes(damaged)).isEqualTo(broken);
  }

  private static List<Integer> differingPositions(byte[] a, byte[] b) {
    assertThat(a).hasSameSizeAs(b);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        out.add(i);
      }
    }
    return out;
  }
}
