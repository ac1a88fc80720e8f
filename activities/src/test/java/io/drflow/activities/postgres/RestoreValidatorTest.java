package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.DrillConfig.Assertion;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgTestSupport.Backup;
import io.drflow.workflows.model.Check;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of damage to a restored copy is caught by the check meant for it, and only by it. */
class RestoreValidatorTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static Backup backup;
  static PostgresConfig copy;

  @TempDir static Path work;

  @BeforeAll
  static void backupOnce() throws Exception {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    cluster.psql("postgres", "create database shop");
    cluster.psql("shop", """
        create table parent (id int primary key, name text);
        create table child (id int primary key, parent_id int references parent (id));
        create table pairs (a int, b int, primary key (a, b));
        create table pair_refs (id int primary key, a int, b int,
          foreign key (a, b) references pairs (a, b));
        create table log (id int, msg text);
        create table big_parent (id int primary key) partition by range (id);
        create table big_parent_1 partition of big_parent for values from (0) to (1000);
        create table big_child (id int primary key, p int references big_parent (id));
        insert into parent select g, 'p' || g from generate_series(1, 200) g;
        insert into child select g, 1 + g % 200 from generate_series(1, 1000) g;
        insert into pairs select g, g from generate_series(1, 50) g;
        insert into pair_refs values (1, 1, 1), (2, null, 1234);
        insert into log select g, 'm' from generate_series(1, 77) g;
        insert into big_parent select g from generate_series(0, 99) g;
        insert into big_child select g, g from generate_series(0, 99) g;
        create index log_msg on log (msg);
        select lo_from_bytea(0, 'hello');
        """);
    backup = PgTestSupport.backup(conns, cluster.postgresConfig("shop"), work.resolve("shop.dump"),
        2);
    copy = cluster.postgresConfig("shop copy");
  }

  @BeforeEach
  void freshCopy() {
    new PgRestore(conns, null).restore(new PgRestore.Request(cluster.serverConfig(), copy.database(),
        backup.file(), backup.globals().roles(), 2, true));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anUntouchedCopyPassesEverything() {
    List<Check> checks = validate();
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    assertThat(check(checks, "row counts").detail())
        .isEqualTo("7 tables, 1,529 rows match the backup's inventory");
    assertThat(check(checks, "large objects").detail()).isEqualTo("1 large objects, as in the backup");
    assertThat(check(checks, "foreign keys").detail())
        .isEqualTo("3 foreign keys checked, no orphaned rows");
  }

  @Test
  void aMissingRowFailsRowCountsOnly() throws Exception {
    PgTestSupport.execute(conns, copy, "delete from log where id = 5");
    List<Check> checks = validate();
    assertThat(check(checks, "row counts").passed()).isFalse();
    assertThat(check(checks, "row counts").detail())
        .isEqualTo("1 of 7 tables differ: public.log has 76 rows, expected 77");
    assertThat(checks).filteredOn(c -> !c.name().equals("row counts"))
        .allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
  }

  @Test
  void aMissingTableAndAnUnexpectedOneAreReported() throws Exception {
    PgTestSupport.execute(conns, copy, "drop table log", "create table surprise (x int)");
    Check rows = check(validate(), "row counts");
    assertThat(rows.passed()).isFalse();
    assertThat(rows.detail()).contains("public.log missing (expected 77 rows)",
        "public.surprise not in the backup's inventory");
  }

  @Test
  void orphanedForeignKeysAreCountedPerKeyWithMatchSimpleSemantics() throws Exception {
    PgTestSupport.execute(conns, copy,
        "set session_replication_role = replica", // skips the FK triggers
        "insert into child values (5001, 9999), (5002, 9998), (5003, null)",
        "insert into pair_refs values (3, 7, 8), (4, null, 8), (5, 7, null)",
        "insert into big_child values (500, 500)");
    Check fks = check(validate(), "foreign keys");
    assertThat(fks.passed()).isFalse();
    assertThat(fks.detail()).isEqualTo("3 of 3 foreign keys have 4 orphaned rows:"
        + " public.big_child.big_child_p_fkey (1 orphaned rows),"
        + " public.child.child_parent_id_fkey (2 orphaned rows),"
        + " public.pair_refs.pair_refs_a_b_fkey (1 orphaned rows)");
  }

  @Test
  void notValidForeignKeysAreNotExpectedToBeClean() throws Exception {
    PgTestSupport.execute(conns, copy,
        "create table loose (id int)",
        "insert into loose values (424242)",
        "alter table loose add constraint loose_fk foreign key (id) references parent (id) not valid");
    Check fks = check(validate(), "foreign keys");
    assertThat(fks.passed()).isTrue();
    assertThat(fks.detail()).contains("1 NOT VALID key(s) not checked");
  }

  @Test
  void invalidOrMissingIndexesFailTheIndexCheck() throws Exception {
    PgTestSupport.execute(conns, copy,
        "update pg_index set indisvalid = false where indexrelid = 'log_msg'::regclass");
    Check idx = check(validate(), "indexes");
    assertThat(idx.passed()).isFalse();
    assertThat(idx.detail()).contains("1 invalid: public.log_msg",
        (backup.inventory().indexes() - 1) + " valid indexes, expected "
            + backup.inventory().indexes());
  }

  @Test
  void constraintDifferencesFailTheConstraintCheck() throws Exception {
    PgTestSupport.execute(conns, copy,
        "alter table log add constraint msg_short check (length(msg) < 5) not valid");
    Check con = check(validate(), "constraints");
    assertThat(con.passed()).isFalse();
    assertThat(con.detail()).contains("constraints, expected " + backup.inventory().constraints(),
        "NOT VALID but valid in the backup: public.log.msg_short");
  }

  @Test
  void aDeletedLargeObjectFailsTheLargeObjectCheck() throws Exception {
    PgTestSupport.execute(conns, copy, "select lo_unlink(oid) from pg_largeobject_metadata");
    Check lo = check(validate(), "large objects");
    assertThat(lo.passed()).isFalse();
    assertThat(lo.detail()).isEqualTo("0 large objects, expected 1");
  }

  @Test
  void assertionsPassOnlyOnASingleTrue() throws Exception {
    List<Check> checks = new RestoreValidator(conns, 2, Duration.ofMillis(500)).validate(
        copy, backup.inventory(), List.of(
            new Assertion("true", "select count(*) = 200 from parent"),
            new Assertion("text t", "select 't'::text"),
            new Assertion("false", "select count(*) = 0 from parent"),
            new Assertion("null", "select null::boolean"),
            new Assertion("two rows", "select true from generate_series(1, 2)"),
            new Assertion("two columns", "select true, true"),
            new Assertion("no rows", "select true where false"),
            new Assertion("a number", "select 1"),
            new Assertion("erroring", "select * from no_such_table"),
            new Assertion("writing", "insert into log values (1, 'x') returning true"),
            new Assertion("slow", "select pg_sleep(5) is not null"),
            new Assertion("after errors, still fine", "select exists (select 1 from child)")));
    assertThat(checks.subList(0, 5)).allSatisfy(c -> assertThat(c.passed()).isTrue());
    List<Check> assertions = checks.subList(5, checks.size());
    assertThat(assertions).extracting(Check::name, Check::passed).containsExactly(
        org.assertj.core.groups.Tuple.tuple("assertion: true", true),
        org.assertj.core.groups.Tuple.tuple("assertion: text t", true),
        org.assertj.core.groups.Tuple.tuple("assertion: false", false),
        org.assertj.core.groups.Tuple.tuple("assertion: null", false),
        org.assertj.core.groups.Tuple.tuple("assertion: two rows", false),
        org.assertj.core.groups.Tuple.tuple("assertion: two columns", false),
        org.assertj.core.groups.Tuple.tuple("assertion: no rows", false),
        org.assertj.core.groups.Tuple.tuple("assertion: a number", false),
        org.assertj.core.groups.Tuple.tuple("assertion: erroring", false),
        org.assertj.core.groups.Tuple.tuple("assertion: writing", false),
        org.assertj.core.groups.Tuple.tuple("assertion: slow", false),
        org.assertj.core.groups.Tuple.tuple("assertion: after errors, still fine", true));
    assertThat(check(checks, "assertion: false").detail()).isEqualTo("returned false, expected true");
    assertThat(check(checks, "assertion: null").detail()).isEqualTo("returned NULL, expected true");
    assertThat(check(checks, "assertion: two rows").detail()).contains("returned 2 rows");
    assertThat(check(checks, "assertion: two columns").detail()).contains("returned 2 columns");
    assertThat(check(checks, "assertion: no rows").detail()).contains("returned no rows");
    assertThat(check(checks, "assertion: a number").detail()).contains("'1'");
    assertThat(check(checks, "assertion: erroring").detail())
        .contains("error:", "no_such_table", "42P01");
    assertThat(check(checks, "assertion: writing").detail()).contains("read-only transaction");
    assertThat(check(checks, "assertion: slow").detail()).contains("statement timeout");
    assertThat(PgTestSupport.query(conns, copy, "select count(*) from log"))
        .as("the writing assertion changed nothing").containsExactly("77");
  }

  @Test
  void validationSessionsRunWithoutJitOrPlannerParallelism() {
    // The scans run side by side on their own connections; assertions share those sessions.
    List<Check> checks = new RestoreValidator(conns, 3, Duration.ofSeconds(30)).validate(
        copy, backup.inventory(), List.of(
            new Assertion("no jit", "select current_setting('jit') = 'off'"),
            new Assertion("no gather workers",
                "select current_setting('max_parallel_workers_per_gather') = '0'")));
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
  }

  @Test
  void aTickThatThrowsAbandonsValidation() {
    AtomicInteger ticks = new AtomicInteger();
    RestoreValidator validator = new RestoreValidator(conns, 2, Duration.ofSeconds(30));
    assertThatThrownBy(() -> validator.validate(copy, backup.inventory(),
        List.of(new Assertion("slow", "select pg_sleep(20) is not null")),
        Duration.ofMillis(50), () -> {
          if (ticks.incrementAndGet() == 3) {
            throw new IllegalStateException("activity cancelled");
          }
        }))
        .isInstanceOf(IllegalStateException.class).hasMessage("activity cancelled");
  }

  @Test
  void anUnreachableDatabaseIsAnException() {
    assertThatThrownBy(() -> new RestoreValidator(conns).validate(
        cluster.postgresConfig("no such db"), backup.inventory(), List.of()))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(PgException.Kind.BAD_INPUT));
  }

  private static List<Check> validate() {
    return new RestoreValidator(conns).validate(copy, backup.inventory(), List.of());
  }

  private static Check check(List<Check> checks, String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
