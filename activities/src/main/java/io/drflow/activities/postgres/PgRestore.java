package io.drflow.activities.postgres;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.postgres.PgException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a custom-format dump into a new database: creates the database, the roles it refers to
 * (see {@link RoleRestorer}), then runs a parallel {@code pg_restore --exit-on-error}.
 *
 * <p>The dump must be a local file: an archive written through a pipe has no data offsets, and
 * pg_restore can then work in parallel only because it may seek in a file (from stdin it would
 * restore serially).
 */
public final class PgRestore {

  private static final Logger log = LoggerFactory.getLogger(PgRestore.class);

  /**
   * @param roles roles to create when missing; null to create none
   * @param jobs pg_restore {@code -j}
   * @param replaceExisting drop a database of that name first; otherwise its existence is an
   *     ALREADY_EXISTS error
   * @param dumpedByVersion the version of the pg_dump that wrote the file ({@code
   *     Manifest.Source.pgDumpVersion}, e.g. "15.18"), or null: pg_restore must be at least as
   *     new, which can matter when the target server is older than the source
   * @param completionMark written as the database's comment once pg_restore succeeded; a database
   *     that already carries it is taken as restored and left alone, so a retry after a crash at
   *     the very end does not repeat hours of work. Null: no mark, always restore
   */
  public record Request(
      ServerConfig server,
      String database,
      Path dumpFile,
      RoleSet roles,
      int jobs,
      boolean replaceExisting,
      String dumpedByVersion,
      String completionMark) {

    public Request(
        ServerConfig server,
        String database,
        Path dumpFile,
        RoleSet roles,
        int jobs,
        boolean replaceExisting,
        String dumpedByVersion) {
      this(server, database, dumpFile, roles, jobs, replaceExisting, dumpedByVersion, null);
    }

    public Request(
        ServerConfig server,
        String database,
        Path dumpFile,
        RoleSet roles,
        int jobs,
        boolean replaceExisting) {
      this(server, database, dumpFile, roles, jobs, replaceExisting, null);
    }

    /** This request with {@code roles} to create first. */
    public Request withRoles(RoleSet roles) {
      return new Request(server, database, dumpFile, roles, jobs, replaceExisting, dumpedByVersion, completionMark);
    }

    /** This request restoring from {@code dumpFile}, and replacing the database if it exists. */
    public Request replacingFrom(Path dumpFile) {
      return new Request(server, database, dumpFile, roles, jobs, true, dumpedByVersion, completionMark);
    }
  }

  /**
   * @param replacedExisting a database of that name was dropped first
   * @param notes what was deliberately not done (superuser attributes, memberships of existing
   *     roles) and why
   * @param alreadyRestored the database carried the request's completion mark: nothing was done
   */
  public record Result(
      String server,
      String database,
      int jobs,
      List<String> rolesCreated,
      List<String> membershipsGranted,
      List<String> notes,
      boolean replacedExisting,
      long dumpBytes,
      Duration elapsed,
      boolean alreadyRestored) {}

  private final PgConnections connections;
  private final PgDatabases databases;
  private final String pgBin;

  /** @param pgBin {@code WorkerConfig.pgBin}, or null to search (see {@link PgTools}) */
  public PgRestore(PgConnections connections, String pgBin) {
    this.connections = connections;
    this.databases = new PgDatabases(connections);
    this.pgBin = pgBin;
  }

  public Result restore(Request request) {
    return restore(request, PgProcess.DEFAULT_TICK, null);
  }

  /**
   * Runs the restore, calling {@code tick} every {@code every} while pg_restore runs. If the tick
   * throws, pg_restore and its workers are stopped and the exception propagates; the half-restored
   * database is left for the caller to drop.
   */
  public Result restore(Request request, Duration every, Runnable tick) {
    return restore(request, every, tick, (Listener) null);
  }

  /**
   * As {@link #restore(Request, Duration, Runnable)}, telling {@code finishedItem} the dump id of
   * each TOC entry pg_restore has finished (parallel restores only: pg_restore reports them with
   * {@code --verbose}). It is called on the thread reading pg_restore's output and must not block.
   */
  public Result restore(Request request, Duration every, Runnable tick, IntConsumer finishedItem) {
    return restore(request, every, tick, finishedItem == null ? null : new Listener() {
      @Override
      public void itemFinished(int dumpId) {
        finishedItem.accept(dumpId);
      }
    });
  }

  /**
   * What a caller follows of a parallel pg_restore (it reports items with {@code --verbose}).
   * Item calls come on the thread reading pg_restore's output and must not block.
   */
  public interface Listener {
    /** pg_restore handed the item to a worker (or runs it itself): its data file is opened next. */
    default void itemLaunched(int dumpId) {}

    default void itemFinished(int dumpId) {}

    /**
     * A worker is about to read the data of table {@code qualifiedName} ("schema.table", as
     * pg_restore prints it, unquoted): a second signal after {@link #itemLaunched}.
     */
    default void tableDataStarting(String qualifiedName) {}

    /**
     * pg_restore succeeded; throwing fails the restore before the completion mark is written
     * (the database is then left for the caller to drop).
     */
    default void beforeCompletion() {}
  }

  /**
   * As {@link #restore(Request, Duration, Runnable, IntConsumer)} with a {@link Listener}. {@code
   * request.dumpFile()} may also be a directory-format archive.
   */
  public Result restore(Request request, Duration every, Runnable tick, Listener listener) {
    dumpSize(request.dumpFile()); // a missing dump is refused before any database is created
    return restore(request, prepare(request), every, tick, listener);
  }

  /**
   * What {@link #prepare} left for pg_restore: the tools to run, the roles it created, and a new
   * empty database, or one found already restored.
   */
  public record Prepared(
      PgTools tools, RoleRestorer.Outcome roles, boolean replaced, boolean alreadyRestored, long startedNanos) {}

  /**
   * Everything before pg_restore runs, which needs nothing from the dump itself, so a caller can
   * do it while the dump is being made ready: the tools, the completion mark, the roles and a new
   * database (dropping the half-restored one of an earlier attempt when {@code replaceExisting}).
   * Holds the database name's lock ({@link PgDatabases#lockName}) throughout, so it waits for a
   * preparation of the same database running elsewhere and then takes what that one made.
   */
  public Prepared prepare(Request request) {
    return prepare(request, false, () -> {});
  }

  /**
   * {@link #prepare} ahead of the restore (while the dump's head is fetched, say), leaving the new
   * database marked as made ready for {@code request}: the restore's own {@link #prepare} then
   * takes it as it is instead of creating it again. Needs {@code request.completionMark()}. {@code
   * nameLocked} runs once the name's lock is held: from then on, a restore or a drop of this
   * database anywhere waits for this preparation to end.
   */
  public void prepareAhead(Request request, Runnable nameLocked) {
    if (request.completionMark() == null) {
      throw new IllegalArgumentException("a database made ready ahead needs the restore's completion mark");
    }
    prepare(request, true, nameLocked);
  }

  private Prepared prepare(Request request, boolean markReady, Runnable nameLocked) {
    long started = System.nanoTime();
    ServerConfig server = request.server();
    PgDatabases.requireName(request.database());
    if (request.replaceExisting()) {
      PgDatabases.refuseMaintenanceDatabase(server, request.database(), "replace");
    }
    if (request.jobs() < 1) {
      throw new PgException(Kind.BAD_INPUT, "pg_restore needs at least one job, got "
          + request.jobs());
    }
    String readyMark = request.completionMark() == null ? null : readyMark(request);
    try (Connection c = connections.open(server)) {
      long connected = System.nanoTime();
      PgDatabases.lockName(c, request.database());
      nameLocked.run();
      long locked = System.nanoTime();
      // Tools first: without a usable pg_restore nothing should be created.
      PgTools tools = PgTools.forServer(pgBin, requiredVersionNum(
          PgConnections.serverVersionNum(c), request.dumpedByVersion()));
      boolean readyMade = false;
      boolean replaced = false;
      if (PgDatabases.exists(c, request.database())) {
        String comment = PgDatabases.comment(c, request.database());
        if (request.completionMark() != null && request.completionMark().equals(comment)) {
          log.info("{} on {} is already restored ({}); not restoring it again",
              request.database(), server.server(), request.completionMark());
          return new Prepared(tools, null, false, true, started);
        }
        boolean sealed = !PgDatabases.allowsConnections(c, request.database());
        if ((readyMark != null && readyMark.equals(comment))
            || (sealed && comment == null && request.replaceExisting())) {
          // Made ready ahead of the restore and untouched since (created sealed, so nothing can
          // have connected to it, even when its maker died before marking it): take it, and
          // unmark it first, so that an attempt dying in pg_restore leaves one a retry replaces.
          if (!markReady) {
            PgDatabases.comment(c, request.database(), null);
            if (sealed) {
              PgDatabases.unseal(c, request.database());
            }
          }
          readyMade = true;
        } else if (!request.replaceExisting()) {
          throw new PgException(Kind.ALREADY_EXISTS, "database " + request.database()
              + " already exists on " + server.server() + "; drflow restores only into a new"
              + " database unless told to replace it");
        } else {
          replaced = true;
        }
      }
      long checked = System.nanoTime();
      RoleRestorer.Outcome roles = request.roles() == null
          ? new RoleRestorer.Outcome(List.of(), List.of(), List.of())
          : RoleRestorer.ensure(c, request.roles());
      if (readyMade) {
        log.info("{} on {} was made ready ahead of the restore: not created again", request.database(),
            server.server());
        return new Prepared(tools, roles, false, false, started);
      }
      long rolesDone = System.nanoTime();
      if (replaced) {
        PgDatabases.drop(c, request.database());
      }
      // Made ahead, it stays sealed until the restore takes it.
      PgDatabases.create(c, server, request.database(), !markReady);
      if (markReady) {
        PgDatabases.comment(c, request.database(), readyMark);
      }
      long created = System.nanoTime();
      log.info("{} created on {} in {} ms (connect {}, name lock {}, tools and checks {}, roles {}, create {})",
          request.database(), server.server(), (created - started) / 1_000_000, (connected - started) / 1_000_000,
          (locked - connected) / 1_000_000, (checked - locked) / 1_000_000, (rolesDone - checked) / 1_000_000,
          (created - rolesDone) / 1_000_000);
      return new Prepared(tools, roles, replaced, false, started);
    } catch (SQLException e) {
      throw PgException.fromSql("preparing the restore on " + server.server(), e, false);
    }
  }

  /** The comment of a database {@link #prepareAhead} made ready and no restore has taken yet. */
  static String readyMark(Request request) {
    return "drflow: created, not yet restored; " + request.completionMark();
  }

  /** Runs pg_restore into the database {@link #prepare} made ready for {@code request}. */
  public Result restore(Request request, Prepared prepared, Duration every, Runnable tick, Listener listener) {
    long started = prepared.startedNanos();
    ServerConfig server = request.server();
    long dumpBytes = dumpSize(request.dumpFile());
    if (prepared.alreadyRestored()) {
      return new Result(server.server(), request.database(), request.jobs(), List.of(),
          List.of(), List.of("already restored by an earlier attempt"), false, dumpBytes,
          Duration.ofNanos(System.nanoTime() - started), true);
    }
    PgTools tools = prepared.tools();
    RoleRestorer.Outcome roles = prepared.roles();
    boolean replaced = prepared.replaced();
    log.info("starting pg_restore into {} on {}, {} ms after the restore began", request.database(),
        server.server(), (System.nanoTime() - started) / 1_000_000);

    boolean follow = listener != null && request.jobs() > 1;
    PgProcess.Builder b = PgProcess.builder(tools.binary("pg_restore"))
        .args(arguments(request.jobs(), request.dumpFile(), follow))
        .environment(environment(connections, server.database(request.database())));
    if (follow) {
      b.stderrLines(line -> {
        // find(), not lookingAt(): pg_restore's processes share stderr and write the
        // "pg_restore: " prefix separately from the message, so lines can come out interleaved.
        Matcher m = FINISHED_ITEM.matcher(line);
        if (m.find()) {
          listener.itemFinished(Integer.parseInt(m.group(1)));
        }
        Matcher l = LAUNCHED_ITEM.matcher(line);
        if (l.find()) {
          listener.itemLaunched(Integer.parseInt(l.group(1)));
        }
        Matcher d = TABLE_DATA.matcher(line);
        if (d.find()) {
          listener.tableDataStarting(d.group(1));
        }
        return PROGRESS.matcher(line).lookingAt();
      });
    }
    try (PgProcess p = b.start()) {
      p.awaitSuccess(every, tick);
    }
    if (listener != null) {
      listener.beforeCompletion();
    }
    if (request.completionMark() != null) {
      databases.comment(server, request.database(), request.completionMark());
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    log.info("restored {} bytes into {} on {} with {} jobs in {}", dumpBytes,
        request.database(), server.server(), request.jobs(), elapsed);
    return new Result(server.server(), request.database(), request.jobs(), roles.created(),
        roles.membershipsGranted(), roles.notes(), replaced, dumpBytes, elapsed, false);
  }

  /**
   * Settings of pg_restore's own sessions (libpq reads PGOPTIONS), for a database that exists only
   * to be restored: no waiting for each item's commit to reach disk (a crash fails the restore
   * either way), no JIT compiling the foreign key checks that run once, and room to sort index
   * keys in memory rather than on disk (what the PostgreSQL manual advises for bulk loads; per
   * session, so -j sessions take j times as much at most).
   */
  static final String SESSION_OPTIONS =
      "-c synchronous_commit=off -c jit=off -c maintenance_work_mem=256MB";

  static java.util.Map<String, String> environment(PgConnections connections, PostgresConfig db) {
    java.util.Map<String, String> env = new java.util.HashMap<>(connections.environment(db));
    env.put("PGOPTIONS", SESSION_OPTIONS);
    return env;
  }

  /**
   * {@code --dbname=} is empty on purpose: libpq then takes the database from PGDATABASE, while
   * pg_restore still knows to restore into a database rather than print SQL; a name given here
   * would be parsed as a connection string if it contained '='.
   */
  static List<String> arguments(int jobs, Path dumpFile) {
    return arguments(jobs, dumpFile, false);
  }

  static List<String> arguments(int jobs, Path dumpFile, boolean verbose) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--jobs=" + jobs,
        "--exit-on-error",
        "--no-password",
        "--dbname=",
        dumpFile.toAbsolutePath().toString()));
    if (verbose) {
      args.add(0, "--verbose");
    }
    return List.copyOf(args);
  }

  /** How a parallel pg_restore reports a finished TOC entry with --verbose (PostgreSQL 12+). */
  static final Pattern FINISHED_ITEM = Pattern.compile("finished item (\\d+) ");

  /**
   * How a parallel pg_restore reports handing an item to a worker, or running one that could not
   * go to a worker itself, before its data is opened.
   */
  static final Pattern LAUNCHED_ITEM =
      Pattern.compile("(?:launching item|processing missed item) (\\d+) ");

  /** What a pg_restore worker prints before it opens a table's data. */
  static final Pattern TABLE_DATA = Pattern.compile("processing data for table \"(.*)\"$");

  /** --verbose chatter, kept out of the stderr that error messages quote. */
  static final Pattern PROGRESS = Pattern.compile(
      "pg_restore: (connecting to database|processing item|processing missed item|creating |launching item"
          + "|finished item|processing data for table|entering main parallel loop"
          + "|finished main parallel loop|skipping item|executing |setting owner and privileges"
          + "|implied data-only restore)");

  /** The newer of the target server and the dump's pg_dump, as a server_version_num. */
  static int requiredVersionNum(int serverVersionNum, String dumpedByVersion) {
    if (dumpedByVersion == null || dumpedByVersion.isBlank()) {
      return serverVersionNum;
    }
    int major;
    try {
      major = PgTools.majorOfVersionString(dumpedByVersion.strip());
    } catch (NumberFormatException e) {
      throw new PgException(Kind.BAD_INPUT, "not a pg_dump version: " + dumpedByVersion);
    }
    int dumpVersionNum = major >= 100 ? major * 100 : major * 10000;
    return PgTools.rank(PgTools.majorOf(dumpVersionNum)) > PgTools.rank(
        PgTools.majorOf(serverVersionNum)) ? dumpVersionNum : serverVersionNum;
  }

  private static long dumpSize(Path file) {
    if (file != null && Files.isDirectory(file) && Files.isRegularFile(file.resolve("toc.dat"))) {
      return 0; // streamed: the data is not on this disk
    }
    if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new PgException(Kind.BAD_INPUT, "dump file " + file + " is not a readable file");
    }
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new PgException(Kind.TRANSIENT, "cannot read the size of " + file, e);
    }
  }
}
