package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgException.Kind;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a server that requires passwords (scram-sha-256 on TCP): the password reaches pg_dump
 * through its environment only, never its command line, and failures are classified.
 */
class PasswordSafetyTest {

  static final String USER = "drflow_backup";
  static final String PASSWORD = "pw-Zq8!x'\"; never on argv";
  static final String ENV = "DRFLOW_TEST_BACKUP_PASSWORD";

  static LocalPostgresCluster cluster;
  static PgConnections conns;
  static PostgresConfig source;

  @TempDir static Path work;

  @BeforeAll
  static void start() {
    cluster = LocalPostgresCluster.builder().password("superuser-secret").start();
    cluster.psql("postgres", "create role " + USER + " login password "
        + Sql.quoteLiteral(PASSWORD) + " in role pg_read_all_data;"
        + " create database pwtest;");
    // about 3 MB, so pg_dump fills the pipe and waits for us while we look at it
    cluster.psql("pwtest", "create table filler as select g as id, repeat('x', 300) as pad"
        + " from generate_series(1, 10000) g;");
    conns = new PgConnections(Secrets.withOverrides(Map.of(ENV, PASSWORD)));
    source = new PostgresConfig(cluster.host(), cluster.port(), "pwtest", USER, ENV);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void pgDumpGetsThePasswordFromItsEnvironmentNotItsCommandLine() throws Exception {
    Path file = work.resolve("pw.dump");
    try (SnapshotSession session = SnapshotSession.open(conns, source)) {
      PgTools tools = PgTools.forServer(null, session.serverVersionNum());
      try (PgProcess dump = PgDump.start(tools, conns, session)) {
        Path proc = Path.of("/proc", Long.toString(dump.pid()));
        String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")),
            StandardCharsets.UTF_8).replace('\0', ' ');
        String environ = new String(Files.readAllBytes(proc.resolve("environ")),
            StandardCharsets.UTF_8);
        assertThat(dump.isAlive()).as("pg_dump still running while inspected").isTrue();
        assertThat(cmdline).contains("pg_dump", "--snapshot=" + session.snapshotId())
            .doesNotContain(PASSWORD).doesNotContain("pw-Zq8").doesNotContain("pwtest");
        assertThat(environ.split("\0")).contains("PGPASSWORD=" + PASSWORD, "PGUSER=" + USER,
            "PGDATABASE=pwtest", "PGAPPNAME=drflow");
        try (OutputStream out = Files.newOutputStream(file)) {
          dump.stdout().transferTo(out);
        }
        dump.awaitSuccess();
      }
    }
    assertThat(Files.size(file)).isGreaterThan(3_000_000);
    ServerConfig target = new ServerConfig(cluster.host(), cluster.port(), "postgres",
        cluster.passwordEnv(), "postgres");
    new PgRestore(cluster.connections(), null).restore(
        new PgRestore.Request(target, "pw copy", file, null, 2, false));
    assertThat(PgTestSupport.single(cluster.connections(), cluster.postgresConfig("pw copy"),
        "select count(*) from filler")).isEqualTo("10000");
  }

  @Test
  void globalsWorkForANonSuperuserAndCarryNoPasswords() {
    PgTools tools = PgTools.forServer(null, conns.serverVersionNum(source));
    Globals g = Globals.capture(tools, conns, source);
    assertThat(g.sql()).contains("CREATE ROLE " + USER).doesNotContain("SCRAM-SHA-256")
        .doesNotContain(PASSWORD);
    assertThat(g.roles().role(USER)).get().extracting(RoleSet.Role::login).isEqualTo(true);
  }

  @Test
  void aWrongPasswordIsAnAuthenticationFailureThatDoesNotEchoThePassword() {
    PgConnections wrong = new PgConnections(Secrets.withOverrides(Map.of(ENV, "wrong-pw-123")));
    assertThatThrownBy(() -> SnapshotSession.open(wrong, source))
        .isInstanceOfSatisfying(PgException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED);
          assertThat(e.retryable()).isFalse();
        })
        .message().doesNotContain("wrong-pw-123");

    // the tools classify the same failure from their stderr
    PgTools tools = PgTools.forServer(null, conns.serverVersionNum(source));
    assertThatThrownBy(() -> Globals.capture(tools, wrong, source))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED));
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump")).args("--schema-only",
            "--no-password")
        .environment(wrong.environment(source)).start()) {
      assertThatThrownBy(p::awaitSuccess)
          .isInstanceOfSatisfying(PgException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED))
          .hasMessageContaining("password authentication failed")
          .message().doesNotContain("wrong-pw-123");
    }
  }

  @Test
  void aMissingPasswordVariableIsReportedByName() {
    PostgresConfig unset = new PostgresConfig(cluster.host(), cluster.port(), "pwtest", USER,
        "DRFLOW_TEST_SURELY_UNSET_VARIABLE");
    assertThatThrownBy(() -> conns.open(unset))
        .isInstanceOf(Secrets.MissingSecretException.class)
        .hasMessageContaining("DRFLOW_TEST_SURELY_UNSET_VARIABLE");
  }

  @Test
  void noPasswordAtAllFailsFastInsteadOfPrompting() {
    PostgresConfig none = new PostgresConfig(cluster.host(), cluster.port(), "pwtest", USER, null);
    PgTools tools = PgTools.forServer(null, conns.serverVersionNum(source));
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump")).args("--schema-only",
            "--no-password")
        .environment(conns.environment(none)).start()) {
      assertThatThrownBy(p::awaitSuccess)
          .isInstanceOfSatisfying(PgException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED));
    }
  }

  @Test
  void nobodyListeningIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    PostgresConfig nowhere = new PostgresConfig("127.0.0.1", closedPort, "pwtest", USER, ENV);
    assertThat(conns.isReachable(nowhere)).isFalse();
    assertThat(conns.probe(nowhere)).get()
        .extracting(PgException::kind).isEqualTo(Kind.UNREACHABLE);
    assertThat(conns.isReachable(source)).isTrue();

    PgTools tools = PgTools.forServer(null, conns.serverVersionNum(source));
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump"))
        .args("--schema-only", "--no-password")
        .environment(conns.environment(nowhere)).start()) {
      assertThatThrownBy(p::awaitSuccess)
          .isInstanceOfSatisfying(PgException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
          .hasMessageContaining("Connection refused");
    }
  }

  @Test
  void anUnknownDatabaseIsBadInput() {
    PostgresConfig missing = new PostgresConfig(cluster.host(), cluster.port(), "no such db",
        USER, ENV);
    assertThat(conns.probe(missing)).get()
        .extracting(PgException::kind).isEqualTo(Kind.BAD_INPUT);
  }
}
