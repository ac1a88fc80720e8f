package io.drflow.activities.postgres;

import java.util.List;

/**
 * Starts {@code pg_dump} on the exported snapshot of a {@link SnapshotSession}, writing a custom
 * format archive to stdout for the caller to stream away. Uncompressed ({@code -Z0}) because the
 * caller compresses in parallel chunks, which pg_dump's single-threaded gzip cannot.
 */
public final class PgDump {

  private PgDump() {}

  /**
   * The running pg_dump. Read {@link PgProcess#stdout()} to the end, then {@link
   * PgProcess#awaitSuccess}; keep {@code session} open until then.
   */
  public static PgProcess start(PgTools tools, PgConnections connections, SnapshotSession session) {
    return PgProcess.builder(tools.binary("pg_dump"))
        .args(arguments(session.snapshotId()))
        .environment(connections.environment(session.target()))
        .stdout(PgProcess.Output.PIPE)
        .start();
  }

  /**
   * {@code --no-password}: a missing password fails at once instead of waiting for a prompt
   * nobody answers. The database comes from PGDATABASE, not {@code -d}.
   */
  static List<String> arguments(String snapshotId) {
    return List.of("--format=custom", "--compress=0", "--no-password", "--snapshot=" + snapshotId);
  }
}
