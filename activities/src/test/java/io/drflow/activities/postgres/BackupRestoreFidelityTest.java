package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgTestSupport.Backup;
import io.drflow.workflows.model.Check;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database using most of what PostgreSQL can hold is backed up from cluster A and restored into
 * a fresh cluster B that has none of A's roles, under another name; the copy must be the same
 * schema, the same rows, the same large objects and sequence positions, and pass validation.
 */
public class BackupRestoreFidelityTest {

  static final String SOURCE_DB = "corpus";
  static final String RESTORED_DB = "corpus copy ✓";

  static LocalPostgresCluster a;
  static LocalPostgresCluster b;
  static PgConnections connA;
  static PgConnections connB;
  static Backup backup;
  static PgRestore.Result restored;

  @TempDir static Path work;

  /** Hidden by subclasses that restore another way (JUnit then runs only theirs). */
  @BeforeAll
  static void backupAndRestore() throws Exception {
    a = LocalPostgresCluster.start();
    b = LocalPostgresCluster.start();
    connA = a.connections();
    connB = b.connections();
    a.psql("postgres", "create database " + SOURCE_DB);
    a.psql(SOURCE_DB, CORPUS);
    backup = PgTestSupport.backup(connA, a.postgresConfig(SOURCE_DB), work.resolve("corpus.dump"), 2);
    restored = PgTestSupport.restore(connB, b.serverConfig(), RESTORED_DB, backup, 2);
  }

  @AfterAll
  static void stopClusters() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  void schemaIsIdentical() {
    String source = PgTestSupport.schemaDump(a, SOURCE_DB);
    String copy = PgTestSupport.schemaDump(b, RESTORED_DB);
    assertThat(source).contains("CREATE TABLE app.\"x; drop table y\"", "\"ünïcödé\"",
        "GRANT SELECT(id) ON TABLE app.customers TO \"Mixed Role\"", "NOT VALID",
        "ATTACH PARTITION app.events_2025_01", "GRANT UPDATE(name) ON TABLE app.customers",
        "MATERIALIZED VIEW app.order_totals", "TYPE app.mood AS ENUM");
    assertThat(copy).isEqualTo(source);
  }

  @Test
  void everyTableHasTheSameRows() throws Exception {
    var source = PgTestSupport.tableChecksums(connA, a.postgresConfig(SOURCE_DB));
    var copy = PgTestSupport.tableChecksums(connB, b.postgresConfig(RESTORED_DB));
    assertThat(source).containsKeys("app.customers", "app.events_2025_01", "app.order_totals",
        "Mixed Case.Mixed Case", "app.x; drop table y", "app.ünïcödé", "app.child_t");
    assertThat(copy).isEqualTo(source);
  }

  @Test
  void largeObjectsAndSequencesAreIdentical() throws Exception {
    String los = "select oid, lomowner::regrole, lomacl, md5(lo_get(oid))"
        + " from pg_largeobject_metadata order by oid";
    List<String> sourceLos = PgTestSupport.query(connA, a.postgresConfig(SOURCE_DB), los);
    assertThat(sourceLos).hasSize(2);
    assertThat(PgTestSupport.query(connB, b.postgresConfig(RESTORED_DB), los))
        .isEqualTo(sourceLos);

    String seqs = "select schemaname, sequencename, last_value, start_value, increment_by,"
        + " max_value, cycle from pg_sequences order by 1, 2";
    List<String> sourceSeqs = PgTestSupport.query(connA, a.postgresConfig(SOURCE_DB), seqs);
    assertThat(sourceSeqs).anyMatch(s -> s.startsWith("app|ticket_seq|424242|"));
    assertThat(PgTestSupport.query(connB, b.postgresConfig(RESTORED_DB), seqs))
        .isEqualTo(sourceSeqs);
    // is_called is what decides the next value; last_value alone does not show it
    String next = "select nextval('app.ticket_seq'), nextval('app.unused_seq')";
    assertThat(PgTestSupport.single(connB, b.postgresConfig(RESTORED_DB), next))
        .isEqualTo(PgTestSupport.single(connA, a.postgresConfig(SOURCE_DB), next));
  }

  @Test
  void inventoryDescribesTheSource() {
    DatabaseInventory inv = backup.inventory();
    assertThat(inv.serverVersionNum()).isGreaterThanOrEqualTo(a.majorVersion() * 10000);
    assertThat(inv.tables()).extracting(DatabaseInventory.TableCount::qualified)
        .contains("app.events_default", "app.order_totals")
        .doesNotContain("app.events", "app.unpopulated", "app.happy_customers");
    assertThat(inv.tables()).filteredOn(t -> t.qualified().equals("app.customers"))
        .singleElement().satisfies(t -> {
          assertThat(t.rows()).isEqualTo(2000);
          assertThat(t.kind()).isEqualTo("table");
        });
    assertThat(inv.tables()).filteredOn(t -> t.qualified().equals("app.events_2025_01"))
        .singleElement().extracting(DatabaseInventory.TableCount::kind).isEqualTo("partition");
    assertThat(inv.tables()).filteredOn(t -> t.qualified().equals("app.order_totals"))
        .singleElement().extracting(DatabaseInventory.TableCount::kind).isEqualTo("matview");
    // ONLY: the inheritance parent's count excludes its child's rows
    assertThat(inv.tables()).filteredOn(t -> t.qualified().equals("app.parent_t"))
        .singleElement().extracting(DatabaseInventory.TableCount::rows).isEqualTo(3L);
    assertThat(inv.largeObjects()).isEqualTo(2);
    assertThat(inv.notValidConstraints()).containsExactly("app.customers.name_is_long");
    assertThat(inv.invalidIndexes()).isEmpty();
    assertThat(inv.indexes()).isGreaterThan(5);
    assertThat(inv.constraints()).isGreaterThan(5);
  }

  @Test
  void restoreValidatesAgainstTheInventory() {
    List<Check> checks = new RestoreValidator(connB).validate(
        b.postgresConfig(RESTORED_DB), backup.inventory(),
        List.of(new DrillConfig.Assertion("customers present",
            "select count(*) = 2000 from app.customers")));
    assertThat(checks).extracting(Check::name).containsExactly("row counts", "large objects",
        "foreign keys", "indexes", "constraints", "assertion: customers present");
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    assertThat(checks.get(0).detail()).contains(backup.inventory().tables().size() + " tables");
    assertThat(checks.get(2).detail()).contains("2 foreign keys checked");
  }

  @Test
  void missingRolesWereCreatedWithoutLoginOrSuperuser() throws Exception {
    assertThat(restored.rolesCreated())
        .contains("app_owner", "app_reader", "app_login", "Mixed Role", "ops_admin")
        .doesNotContain("postgres");
    assertThat(restored.membershipsGranted()).contains("app_login in app_reader",
        "Mixed Role in app_reader");
    assertThat(restored.notes()).anyMatch(n -> n.contains("ops_admin") && n.contains("SUPERUSER"));
    PostgresConfig pg = b.postgresConfig("postgres");
    assertThat(PgTestSupport.query(connB, pg, "select rolname, rolsuper, rolcanlogin, rolcreatedb"
        + " from pg_roles where rolname in ('ops_admin', 'app_login', 'app_owner') order by 1"))
        .containsExactly("app_login|f|f|f", "app_owner|f|f|t", "ops_admin|f|f|f");
  }

  @Test
  void roleSetSurvivesJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    RoleSet roles = backup.globals().roles();
    assertThat(roles.roles()).extracting(RoleSet.Role::name).doesNotContain("pg_monitor");
    assertThat(roles.role("ops_admin")).get().extracting(RoleSet.Role::superuser).isEqualTo(true);
    assertThat(roles.role("app_login")).get().satisfies(r -> {
      assertThat(r.login()).isTrue();
      assertThat(r.connectionLimit()).isEqualTo(5);
    });
    assertThat(json.readValue(json.writeValueAsString(roles), RoleSet.class)).isEqualTo(roles);
    // the inventory travels in the manifest the same way
    String inventory = json.writeValueAsString(backup.inventory());
    assertThat(inventory).doesNotContain("totalRows", "qualified");
    assertThat(json.readValue(inventory, DatabaseInventory.class)).isEqualTo(backup.inventory());
    assertThat(backup.globals().sql()).contains("CREATE ROLE app_owner", "\"Mixed Role\"")
        .doesNotContain("SCRAM-SHA-256$");
  }

  static final String CORPUS = """
      create role app_owner nologin createdb;
      create role app_reader nologin;
      create role app_login login password 'not-copied' connection limit 5 in role app_reader;
      create role "Mixed Role" nologin in role app_reader;
      create role ops_admin superuser nologin;
      grant create on database corpus to app_owner;
      create schema app authorization app_owner;
      create schema "Mixed Case" authorization app_owner;
      set role app_owner;

      create type app.mood as enum ('sad', 'ok', 'happy');
      create sequence app.ticket_seq increment by 7 start with 1000 minvalue 1000
        maxvalue 1000000 cycle cache 1;
      select setval('app.ticket_seq', 424242, true);
      create sequence app.unused_seq;

      create table app.customers (id int primary key, name text not null, mood app.mood,
        secret text);
      comment on table app.customers is 'Customers – with unicode ✓';
      comment on column app.customers.name is 'Display name';
      insert into app.customers select g, 'name ' || g,
        (array['sad','ok','happy'])[1 + g % 3]::app.mood, md5(g::text)
        from generate_series(1, 2000) g;
      alter table app.customers add constraint name_is_long check (length(name) > 100) not valid;

      create table app.orders (id bigint generated by default as identity primary key,
        customer_id int references app.customers (id), total numeric(12,2), created date not null);
      insert into app.orders (customer_id, total, created)
        select 1 + g % 2000, (g % 1000) / 10.0, date '2025-01-01' + g % 50
        from generate_series(1, 5000) g;
      insert into app.orders (customer_id, total, created) values (null, 1, '2025-01-01');
      create index orders_created_idx on app.orders (created) where total > 50;

      create table app.events (id bigint not null, at date not null, payload jsonb,
        primary key (id, at)) partition by range (at);
      create table app.events_2025_01 partition of app.events
        for values from ('2025-01-01') to ('2025-02-01');
      create table app.events_2025_02 partition of app.events
        for values from ('2025-02-01') to ('2025-03-01');
      create table app.events_default partition of app.events default;
      insert into app.events select g, date '2025-01-01' + (g % 70), jsonb_build_object('n', g)
        from generate_series(1, 3000) g;

      create materialized view app.order_totals as
        select customer_id, sum(total) as total from app.orders group by 1;
      create materialized view app.unpopulated as select 1 as x with no data;
      create view app.happy_customers as select id, name from app.customers where mood = 'happy';

      create table "Mixed Case"."Mixed Case" ("Id" int primary key, "ünïcödé" text);
      insert into "Mixed Case"."Mixed Case" select g, 'wert ' || g || ' ☃' from generate_series(1, 50) g;
      create table app."ünïcödé" (k text primary key, v text);
      insert into app."ünïcödé" values ('ключ', 'значение'), ('鍵', '値'), ('a''b', 'c"d');
      create table app."x; drop table y" (id int, "a""quote" text);
      insert into app."x; drop table y" values (1, 'one'), (2, null);
      comment on column app."x; drop table y"."a""quote" is 'a column with a quote';

      create table app.pairs (a int, b int, primary key (a, b));
      insert into app.pairs select g, g * 2 from generate_series(1, 100) g;
      create table app.pair_refs (id int primary key, a int, b int,
        foreign key (a, b) references app.pairs (a, b));
      insert into app.pair_refs values (1, 1, 2), (2, null, 99), (3, 5, 10);

      create table app.parent_t (id int);
      create table app.child_t (extra text) inherits (app.parent_t);
      insert into app.parent_t values (1), (2), (3);
      insert into app.child_t values (10, 'x'), (11, 'y');

      select lo_from_bytea(0, '\\x00010203ff'::bytea) is not null;
      select lo_from_bytea(424242, convert_to(repeat('large object ', 10000), 'UTF8'));
      reset role;

      grant usage on schema app to app_reader;
      grant select on all tables in schema app to app_reader;
      grant usage, select on all sequences in schema app to app_reader;
      grant select (id, name) on app.customers to "Mixed Role";
      grant update (name) on app.customers to app_reader;
      grant usage on type app.mood to "Mixed Role";
      grant select on large object 424242 to app_reader;
      alter default privileges for role app_owner in schema app grant select on tables to app_reader;
      """;
}
