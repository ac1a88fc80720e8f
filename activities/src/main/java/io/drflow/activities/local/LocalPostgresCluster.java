package io.drflow.activities.local;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgException;
import io.drflow.activities.postgres.PgException.Kind;
import io.drflow.activities.postgres.PgProcess;
import io.drflow.activities.postgres.PgTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster in a temporary directory, for tests and the dev stack: initdb,
 * start on a free loopback port, stop and delete on {@link #close()}. Tuned for speed, not
 * durability (fsync off): never put data you want to keep in it.
 *
 * <p>initdb and pg_ctl refuse to run as root, so when this JVM is root they run as the
 * {@code postgres} OS user via runuser, in a directory owned by that user.
 */
public final class LocalPostgresCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalPostgresCluster.class);

  public static final String HOST = "127.0.0.1";
  public static final String SUPERUSER = "postgres";
  static final String OS_USER = "postgres";
  private static final int START_ATTEMPTS = 3;

  private final Path baseDir;
  private final Path dataDir;
  private final Path logFile;
  private final PgTools tools;
  private final List<String> asOwner;
  private final int port;
  private final String password;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private LocalPostgresCluster(Builder b) {
    this.tools = serverTools(b.pgBin);
    this.asOwner = isRoot() ? runuserPrefix() : List.of();
    this.password = b.password;
    try {
      this.baseDir = Files.createTempDirectory("drflow-pg-");
      if (!asOwner.isEmpty()) {
        UserPrincipal owner = baseDir.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(OS_USER);
        Files.setOwner(baseDir, owner);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for a local cluster", e);
    }
    this.dataDir = baseDir.resolve("data");
    this.logFile = baseDir.resolve("postgres.log");
    this.shutdownHook = new Thread(this::stopQuietly, "drflow-local-pg-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      initdb();
      this.port = startOnFreePort(b);
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
    log.info("local PostgreSQL {} running on {}:{} in {}", tools.version(), HOST, port, dataDir);
  }

  /** A cluster with defaults: trust authentication, a free port. */
  public static LocalPostgresCluster start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The server's log (what {@code log_statement} and friends write). */
  public Path logFile() {
    return logFile;
  }

  /** The PostgreSQL major version of the binaries this cluster runs. */
  public int majorVersion() {
    return tools.major();
  }

  /**
   * The name of the (fictitious) environment variable the password is configured under; {@link
   * #secrets()} resolves it. Null without a password.
   */
  public String passwordEnv() {
    return password == null ? null : "DRFLOW_LOCAL_PG_PASSWORD_" + port;
  }

  /** Secrets that resolve {@link #passwordEnv()} to this cluster's password. */
  public Secrets secrets() {
    return password == null
        ? Secrets.fromEnvironment()
        : Secrets.withOverrides(Map.of(passwordEnv(), password));
  }

  public PgConnections connections() {
    return new PgConnections(secrets());
  }

  /** The superuser's view of this server. */
  public ServerConfig serverConfig() {
    return new ServerConfig(HOST, port, SUPERUSER, passwordEnv(), "postgres");
  }

  public PostgresConfig postgresConfig(String database) {
    return serverConfig().database(database);
  }

  /**
   * Runs {@code sql} (one or more statements, psql meta-commands allowed) with psql as the
   * superuser, stopping at the first error, and returns the unaligned, header-less output.
   */
  public String psql(String database, String sql) {
    try (PgProcess p = PgProcess.builder(tools.binary("psql"))
        .args("--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--no-password",
            "--set=ON_ERROR_STOP=1", "--file=-")
        .environment(connections().environment(postgresConfig(database)))
        .stdin(sql.getBytes(StandardCharsets.UTF_8))
        .stdout(PgProcess.Output.CAPTURE)
        .start()) {
      p.awaitSuccess();
      String out = p.capturedStdout();
      return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }
  }

  /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
    stopQuietly();
  }

  private synchronized void stopQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      try {
        runAsOwner("pg_ctl", List.of("stop", "-D", dataDir.toString(), "-m", "fast", "-w"));
      } catch (RuntimeException e) {
        log.warn("stopping the local cluster in {}: {}", dataDir, e.getMessage());
      }
    }
    deleteTree(baseDir);
  }

  private void initdb() {
    List<String> args = new ArrayList<>(List.of(
        "-D", dataDir.toString(), "-U", SUPERUSER, "-E", "UTF8", "--locale=C.UTF-8",
        "--no-instructions"));
    Path pwFile = baseDir.resolve("pwfile");
    if (password != null) {
      writeOwned(pwFile, password + "\n");
      // Local (socket) connections stay trust so pg_ctl can check readiness; TCP needs the password.
      args.addAll(List.of("--auth-local=trust", "--auth-host=scram-sha-256",
          "--pwfile=" + pwFile));
    } else {
      args.add("--auth=trust");
    }
    try {
      runAsOwner("initdb", args);
    } finally {
      deleteQuietly(pwFile);
    }
  }

  private int startOnFreePort(Builder b) {
    PgException last = null;
    for (int attempt = 0; attempt < (b.port == null ? START_ATTEMPTS : 1); attempt++) {
      int p = b.port != null ? b.port : freePort();
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("port", Integer.toString(p));
      settings.put("listen_addresses", quote(HOST));
      settings.put("unix_socket_directories", quote(baseDir.toString()));
      settings.put("fsync", "off");
      settings.put("synchronous_commit", "off");
      settings.put("full_page_writes", "off");
      settings.put("wal_level", "minimal");
      settings.put("max_wal_senders", "0");
      settings.put("max_wal_size", quote("1GB"));
      settings.put("timezone", quote("UTC"));
      b.settings.forEach((k, v) -> settings.put(k, quote(v)));
      // Settings go into postgresql.conf rather than pg_ctl -o, which pg_ctl hands to a shell.
      StringBuilder conf = new StringBuilder("\n# drflow local cluster\n");
      settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
      append(dataDir.resolve("postgresql.conf"), conf.toString());
      try {
        runAsOwner("pg_ctl", List.of("start", "-D", dataDir.toString(), "-l", logFile.toString(),
            "-w", "-t", "60"));
        return p;
      } catch (PgException e) {
        last = new PgException(e.kind(), e.getMessage() + "\nserver log:\n" + logTail(), e);
        if (!logTail().contains("could not bind")) {
          break;
        }
      }
    }
    throw last;
  }

  private void runAsOwner(String tool, List<String> args) {
    List<String> command = new ArrayList<>(asOwner);
    command.add(tools.binary(tool).toString());
    command.addAll(args);
    try (PgProcess p = PgProcess.builder(command).name(tool).start()) {
      p.awaitSuccess();
    }
  }

  /**
   * The newest installation that can run a server (PATH often only has client tools, like
   * Debian's /usr/bin).
   */
  private static PgTools serverTools(String pgBin) {
    List<PgTools.Installation> all = new ArrayList<>(PgTools.installations(pgBin));
    all.sort(Comparator.comparingInt(PgTools.Installation::major).reversed());
    for (PgTools.Installation i : all) {
      if (Files.isExecutable(i.dir().resolve("initdb"))
          && Files.isExecutable(i.dir().resolve("pg_ctl"))) {
        return PgTools.forServer(i.dir().toString(), 0);
      }
    }
    throw new PgException(Kind.TOOL_UNAVAILABLE,
        "no PostgreSQL server binaries (initdb, pg_ctl) found in PATH or /usr/lib/postgresql");
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static List<String> runuserPrefix() {
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
      Path p = Path.of(dir, "runuser");
      if (Files.isExecutable(p)) {
        return List.of(p.toString(), "-u", OS_USER, "--");
      }
    }
    throw new PgException(Kind.TOOL_UNAVAILABLE,
        "running as root needs runuser to start PostgreSQL as the postgres user");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** A postgresql.conf string value. */
  private static String quote(String v) {
    return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private String logTail() {
    try {
      String s = Files.readString(logFile);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no server log)";
    }
  }

  private void writeOwned(Path file, String content) {
    try {
      Files.writeString(file, content);
      if (!asOwner.isEmpty()) {
        Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(OS_USER));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path file, String content) {
    try {
      // Appending keeps the file's owner (postgres) even when we are root.
      Files.writeString(file, content, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("deleting {}: {}", p, e.getMessage());
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(LocalPostgresCluster::deleteQuietly);
    } catch (IOException e) {
      log.warn("deleting {}: {}", root, e.getMessage());
    }
  }

  /** Options for {@link LocalPostgresCluster}. */
  public static final class Builder {
    private Integer port;
    private String password;
    private String pgBin;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {}

    /** A fixed port (the dev stack's); by default a free one is picked. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Gives the superuser this password and requires it (scram-sha-256) on TCP connections.
     * Unix-socket connections stay trusted, for pg_ctl.
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** Where initdb/pg_ctl/postgres live; default: the newest found (see {@link PgTools}). */
    public Builder pgBin(String dir) {
      this.pgBin = dir;
      return this;
    }

    /** An extra server setting, e.g. {@code setting("log_connections", "on")}. */
    public Builder setting(String name, String value) {
      if (!name.matches("[a-z_.]+")) {
        throw new IllegalArgumentException("not a setting name: " + name);
      }
      settings.put(name, value);
      return this;
    }

    public LocalPostgresCluster start() {
      return new LocalPostgresCluster(this);
    }
  }
}
