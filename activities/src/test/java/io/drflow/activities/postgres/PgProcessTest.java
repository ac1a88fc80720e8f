package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.postgres.PgException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Process handling, with ordinary Unix tools standing in for PostgreSQL's. */
class PgProcessTest {

  @Test
  void aThrowingTickStopsTheProcessAndItsChildren() throws Exception {
    // a shell only to get a process tree like pg_restore -j's; drflow itself never uses one
    PgProcess p = PgProcess.builder(List.of("/bin/sh", "-c", "sleep 300 & sleep 300 & wait"))
        .start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (ProcessHandle.of(p.pid()).orElseThrow().descendants().count() < 2) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(10);
    }
    List<ProcessHandle> children = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
    AtomicInteger ticks = new AtomicInteger();
    RuntimeException cancelled = new RuntimeException("activity cancelled");

    assertThatThrownBy(() -> p.awaitSuccess(Duration.ofMillis(20), () -> {
      if (ticks.incrementAndGet() == 3) {
        throw cancelled;
      }
    })).isSameAs(cancelled);

    assertThat(ticks.get()).isEqualTo(3);
    assertThat(p.isAlive()).isFalse();
    assertThat(children).hasSize(2);
    long until = System.nanoTime() + 3_000_000_000L;
    while (children.stream().anyMatch(PgProcessTest::running) && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(children).noneMatch(PgProcessTest::running);
  }

  /**
   * Alive and not a zombie: orphans killed with their parent stay zombies until PID 1 reaps them,
   * which a container's PID 1 may never do.
   */
  private static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false; // gone
    }
  }

  @Test
  void aFailureCarriesTheTailOfStderr() {
    String script = "i=0; while [ $i -lt 3000 ]; do echo \"noise line $i\" >&2; i=$((i+1)); done;"
        + " echo 'FATAL:  password authentication failed for user \"x\"' >&2; exit 3";
    try (PgProcess p = PgProcess.builder(List.of("/bin/sh", "-c", script)).name("fake_tool")
        .start()) {
      assertThatThrownBy(p::awaitSuccess)
          .isInstanceOfSatisfying(PgException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED);
            assertThat(e.getMessage())
                .startsWith("fake_tool failed with exit code 3: [...")
                .contains("bytes cut...]")
                .endsWith("password authentication failed for user \"x\"")
                .doesNotContain("noise line 5\n");
            assertThat(e.getMessage().length()).isLessThan(PgProcess.STDERR_TAIL_BYTES + 200);
          });
    }
  }

  @Test
  void stderrLinesReachTheListenerAndClaimedOnesStayOutOfErrors() {
    String script = "echo 'pg_restore: finished item 12 TABLE DATA t' >&2;"
        + " echo 'pg_restore: error: could not execute query' >&2; exit 1";
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (PgProcess p = PgProcess.builder(List.of("/bin/sh", "-c", script)).name("fake_restore")
        .stderrLines(line -> {
          heard.add(line);
          return line.contains("finished item");
        })
        .start()) {
      assertThatThrownBy(p::awaitSuccess)
          .isInstanceOf(PgException.class)
          .hasMessageContaining("could not execute query")
          .hasMessageNotContaining("finished item");
    }
    assertThat(heard).containsExactly(
        "pg_restore: finished item 12 TABLE DATA t", "pg_restore: error: could not execute query");
  }

  @Test
  void stdinIsFedAndStdoutCaptured() {
    try (PgProcess p = PgProcess.builder(Path.of("/bin/cat"))
        .stdin("hello ✓\n".getBytes(StandardCharsets.UTF_8))
        .stdout(PgProcess.Output.CAPTURE).start()) {
      p.awaitSuccess();
      assertThat(p.capturedStdout()).isEqualTo("hello ✓\n");
    }
  }

  @Test
  void stdoutCanBeStreamed() throws Exception {
    try (PgProcess p = PgProcess.builder(Path.of("/usr/bin/head")).args("-c", "1000000",
            "/dev/zero")
        .stdout(PgProcess.Output.PIPE).start()) {
      assertThat(p.stdout().readAllBytes()).hasSize(1_000_000);
      p.awaitSuccess();
    }
  }

  @Test
  void theChildSeesOnlyTheConnectionVariablesWeGiveIt() {
    try (PgProcess p = PgProcess.builder(Path.of("/usr/bin/env"))
        .environment(Map.of("PGHOST", "db.example", "PGDATABASE", "a=b c"))
        .stdout(PgProcess.Output.CAPTURE).start()) {
      p.awaitSuccess();
      List<String> env = p.capturedStdout().lines().toList();
      assertThat(env).contains("PGHOST=db.example", "PGDATABASE=a=b c", "LC_MESSAGES=C")
          .noneMatch(l -> l.startsWith("PGPASSWORD=") || l.startsWith("LC_ALL="));
    }
  }

  @Test
  void aMissingBinaryIsAToolProblem() {
    assertThatThrownBy(() -> PgProcess.builder(Path.of("/nonexistent/pg_dump")).start())
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TOOL_UNAVAILABLE));
  }

  @Test
  void stderrIsClassified() {
    assertThat(PgException.kindOfToolError("pg_dump: error: connection to server at \"10.0.0.1\","
        + " port 5432 failed: Connection refused")).isEqualTo(Kind.UNREACHABLE);
    assertThat(PgException.kindOfToolError("could not translate host name \"db\" to address"))
        .isEqualTo(Kind.UNREACHABLE);
    assertThat(PgException.kindOfToolError("failed: FATAL:  no pg_hba.conf entry for host"))
        .isEqualTo(Kind.AUTH_FAILED);
    assertThat(PgException.kindOfToolError("failed: FATAL:  role \"bob\" does not exist"))
        .isEqualTo(Kind.AUTH_FAILED);
    assertThat(PgException.kindOfToolError("pg_restore: error: could not execute query: ERROR:"
        + "  role \"bob\" does not exist")).isEqualTo(Kind.TRANSIENT);
    assertThat(PgException.kindOfToolError("failed: FATAL:  database \"x\" does not exist"))
        .isEqualTo(Kind.BAD_INPUT);
    assertThat(PgException.kindOfToolError("pg_dump: error: aborting because of server version"
        + " mismatch")).isEqualTo(Kind.TOOL_UNAVAILABLE);
    assertThat(PgException.kindOfToolError("ERROR:  permission denied for table t"))
        .isEqualTo(Kind.PERMISSION_DENIED);
    assertThat(PgException.kindOfToolError("server closed the connection unexpectedly"))
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void sqlStatesAreClassified() {
    assertThat(PgException.kindOf("08001", true)).isEqualTo(Kind.UNREACHABLE);
    assertThat(PgException.kindOf("08006", false)).isEqualTo(Kind.TRANSIENT);
    assertThat(PgException.kindOf("28P01", true)).isEqualTo(Kind.AUTH_FAILED);
    assertThat(PgException.kindOf("3D000", true)).isEqualTo(Kind.BAD_INPUT);
    assertThat(PgException.kindOf("42P04", false)).isEqualTo(Kind.ALREADY_EXISTS);
    assertThat(PgException.kindOf("42601", false)).isEqualTo(Kind.BAD_INPUT);
    assertThat(PgException.kindOf("40P01", false)).isEqualTo(Kind.TRANSIENT);
    assertThat(PgException.kindOf("57P03", true)).isEqualTo(Kind.TRANSIENT);
    assertThat(PgException.kindOf("", false)).isEqualTo(Kind.TRANSIENT);
    assertThat(Kind.TRANSIENT.retryable()).isTrue();
    assertThat(Kind.UNREACHABLE.retryable()).isFalse();
  }
}
