package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgTestSupport.Backup;
import io.drflow.workflows.model.Check;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Database and table names that break naive quoting or connection strings go through backup,
 * restore, validation and drop unharmed, and nothing they "contain" is executed.
 */
class HostileNamesTest {

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static PgDatabases databases;
  static ServerConfig server;

  @TempDir Path work;

  @BeforeAll
  static void start() {
    cluster = LocalPostgresCluster.start();
    conns = cluster.connections();
    databases = new PgDatabases(conns);
    server = cluster.serverConfig();
    // Canaries: a name that gets executed as SQL would drop or touch these.
    cluster.psql("postgres", "create database x; create database y");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "shop \"prod\"; drop database x",
      "ünïcödé ☃ база 数据",
      "a=b host=nowhere dbname=y",
      "postgresql://y",
      "it's -- a' or '1'='1",
      "back\\slash%20&?/+"})
  void backupRestoreValidateAndDrop(String name) throws Exception {
    String copyName = "r " + name;
    databases.create(server, name);
    PostgresConfig source = cluster.postgresConfig(name);
    PgTestSupport.execute(conns, source,
        "create table " + Sql.qualified("public", name) + " (id int primary key, \"v; drop\" text)",
        "insert into " + Sql.qualified("public", name)
            + " select g, 'v' || g from generate_series(1, 321) g",
        "create table child (id int references " + Sql.qualified("public", name) + " (id))",
        "insert into child select g from generate_series(1, 100) g");
    assertThat(PgTestSupport.single(conns, source, "select current_database()")).isEqualTo(name);

    Backup backup = PgTestSupport.backup(conns, source, work.resolve("db.dump"), 2);
    assertThat(backup.inventory().tables()).extracting(DatabaseInventory.TableCount::name)
        .containsExactlyInAnyOrder(name, "child");
    assertThat(backup.inventory().totalRows()).isEqualTo(421);

    PgTestSupport.restore(conns, server, copyName, backup, 2);
    PostgresConfig copy = cluster.postgresConfig(copyName);
    assertThat(PgTestSupport.single(conns, copy, "select current_database()")).isEqualTo(copyName);
    List<Check> checks = new RestoreValidator(conns).validate(copy, backup.inventory(), List.of());
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    assertThat(PgTestSupport.tableChecksums(conns, copy))
        .isEqualTo(PgTestSupport.tableChecksums(conns, source));

    assertThat(databases.exists(server, copyName)).isTrue();
    assertThat(databases.drop(server, copyName)).isTrue();
    assertThat(databases.drop(server, copyName)).isFalse();
    assertThat(databases.exists(server, copyName)).isFalse();
    assertThat(databases.drop(server, name)).isTrue();

    assertThat(databases.exists(server, "x")).as("canary x").isTrue();
    assertThat(databases.exists(server, "y")).as("canary y").isTrue();
    assertThat(PgTestSupport.query(conns, cluster.postgresConfig("y"),
        "select relname from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace"))
        .isEmpty();
  }

  @Test
  void quotedNamesAndLiteralsRoundTripThroughTheServer() throws Exception {
    List<String> hostile = List.of("plain", "it's", "a\"b", "x'; drop database x; --",
        "back\\slash\\'", "ünïcödé ☃", "$$dollar$$", "tab\tnew\nline");
    try (java.sql.Connection c = conns.open(cluster.postgresConfig("postgres"));
        java.sql.Statement s = c.createStatement()) {
      for (String scs : List.of("on", "off")) {
        s.execute("set standard_conforming_strings = " + scs);
        s.execute("set escape_string_warning = off");
        for (String v : hostile) {
          try (java.sql.ResultSet rs = s.executeQuery(
              "select " + Sql.quoteLiteral(v) + " as " + Sql.quoteIdent(v))) {
            rs.next();
            assertThat(rs.getString(1)).as("literal with scs=" + scs).isEqualTo(v);
            assertThat(rs.getMetaData().getColumnLabel(1)).as("identifier").isEqualTo(v);
          }
        }
      }
    }
    assertThat(databases.exists(server, "x")).isTrue();
  }

  @Test
  void renameKeepsHostileNamesIntact() {
    String from = "rename me \"now\"";
    String to = "renamed; drop database x";
    databases.create(server, from);
    databases.rename(server, from, to);
    assertThat(databases.exists(server, from)).isFalse();
    assertThat(databases.exists(server, to)).isTrue();
    assertThat(databases.drop(server, to)).isTrue();
    assertThat(databases.exists(server, "x")).isTrue();
  }

  @Test
  void namesPostgresWouldTruncateOrRejectAreBadInput() {
    String tooLong = "é".repeat(32); // 64 bytes
    assertThatThrownBy(() -> databases.create(server, tooLong))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(PgException.Kind.BAD_INPUT))
        .hasMessageContaining("63 bytes");
    assertThatThrownBy(() -> databases.drop(server, ""))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(PgException.Kind.BAD_INPUT));
    assertThatThrownBy(() -> databases.drop(server, "postgres"))
        .hasMessageContaining("maintenance database");
  }
}
