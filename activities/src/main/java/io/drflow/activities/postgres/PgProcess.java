package io.drflow.activities.postgres;

import io.drflow.activities.postgres.PgException.Kind;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running PostgreSQL client tool. Started from an argument list, never through a shell, so
 * names reach the tool exactly as given; connection parameters and the password travel in the
 * child's environment (see {@link PgConnections#environment}), where other users cannot read
 * them, unlike the command line in /proc/PID/cmdline.
 *
 * <p>stderr is always captured (its last {@value #STDERR_TAIL_BYTES} bytes) so a failure says
 * why. stdout is either handed to the caller as a stream (pg_dump's archive), captured (small
 * outputs like pg_dumpall's globals), written to a file, or discarded.
 */
public final class PgProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgProcess.class);

  static final int STDERR_TAIL_BYTES = 16 * 1024;
  static final int CAPTURE_LIMIT_BYTES = 64 * 1024 * 1024;
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(5);
  private static final Duration TERM_GRACE = Duration.ofSeconds(5);

  /**
   * Inherited variables that would redirect a tool to another server, user or database than the
   * one we pass explicitly. TLS settings (PGSSL*) and PGPASSFILE are kept: they refine how to
   * connect, not where.
   */
  static final Set<String> INHERITED_CONNECTION_VARIABLES =
      Set.of(
          "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE",
          "PGOPTIONS", "PGAPPNAME", "PGCLUSTER", "PGCONNECT_TIMEOUT", "PGTARGETSESSIONATTRS");

  /** Where the child's stdout goes. */
  public enum Output {
    /** The caller reads {@link #stdout()}; it must read to the end before awaiting. */
    PIPE,
    /** Kept in memory (up to 64 MiB) for {@link #capturedStdout()}. */
    CAPTURE,
    DISCARD
  }

  private final Process process;
  private final String name;
  private final Output output;
  private final TailBuffer stderr = new TailBuffer(STDERR_TAIL_BYTES);
  private final Thread stderrReader;
  private final Thread stdoutReader;
  private final ByteArrayOutputStream captured;
  private volatile boolean capturedOverflow;
  private volatile boolean destroyedByUs;
  private volatile IOException stdinFailure;

  private PgProcess(Builder b) throws IOException {
    this.name = b.name != null ? b.name : Path.of(b.command.get(0)).getFileName().toString();
    this.output = b.output;
    ProcessBuilder pb = new ProcessBuilder(b.command);
    Map<String, String> env = pb.environment();
    INHERITED_CONNECTION_VARIABLES.forEach(env::remove);
    // Tools' own (libpq) messages in English, so failures can be classified; LC_ALL would
    // override LC_MESSAGES.
    env.remove("LC_ALL");
    env.put("LC_MESSAGES", "C");
    env.putAll(b.environment);
    if (b.stdoutFile != null) {
      pb.redirectOutput(b.stdoutFile.toFile());
    } else if (b.output == Output.DISCARD) {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    this.process = pb.start();
    log.debug("started {} (pid {})", name, process.pid());
    Predicate<String> lines = b.stderrLines;
    this.stderrReader =
        daemon(
            name + "-stderr",
            lines == null
                ? () -> drain(process.getErrorStream(), stderr)
                : () -> drainLines(process.getErrorStream(), stderr, lines));
    if (b.output == Output.CAPTURE && b.stdoutFile == null) {
      this.captured = new ByteArrayOutputStream();
      this.stdoutReader = daemon(name + "-stdout", this::capture);
    } else {
      this.captured = null;
      this.stdoutReader = null;
    }
    feedStdin(b.stdin);
  }

  public static Builder builder(Path binary) {
    return new Builder(List.of(binary.toString()));
  }

  /** A command whose first element is not the tool itself (e.g. {@code runuser -u postgres --}). */
  public static Builder builder(List<String> command) {
    return new Builder(command);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The tool's stdout, for {@link Output#PIPE}. */
  public InputStream stdout() {
    if (output != Output.PIPE) {
      throw new IllegalStateException(name + "'s stdout is " + output + ", not PIPE");
    }
    return process.getInputStream();
  }

  /** The captured stdout (UTF-8), after {@link #awaitSuccess} returned. */
  public String capturedStdout() {
    if (captured == null) {
      throw new IllegalStateException(name + "'s stdout was not captured");
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** The last bytes the tool wrote to stderr so far. */
  public String stderrTail() {
    return stderr.text();
  }

  /** Waits for a successful exit; see {@link #awaitSuccess(Duration, Runnable)}. */
  public void awaitSuccess() {
    awaitSuccess(DEFAULT_TICK, null);
  }

  /**
   * Waits for the tool to exit, calling {@code tick} every {@code every} meanwhile (the caller
   * heartbeats). If {@code tick} throws (a cancelled activity, say), the tool and its children are
   * stopped and the exception propagates unchanged.
   *
   * @throws PgException when the tool exits non-zero, classified from its stderr, which the
   *     message includes
   */
  public void awaitSuccess(Duration every, Runnable tick) {
    try {
      while (!process.waitFor(every.toMillis(), TimeUnit.MILLISECONDS)) {
        if (tick != null) {
          tick.run();
        }
      }
    } catch (InterruptedException e) {
      destroyTree();
      Thread.currentThread().interrupt();
      throw new PgException(Kind.TRANSIENT, name + " was interrupted and has been stopped", e);
    } catch (RuntimeException | Error e) {
      destroyTree();
      throw e;
    }
    joinReaders();
    int code = process.exitValue();
    if (code != 0) {
      String tail = stderr.text().strip();
      String because = destroyedByUs ? " (stopped by drflow)" : "";
      throw new PgException(
          PgException.kindOfToolError(tail),
          name + " failed with exit code " + code + because
              + (tail.isEmpty() ? " and no message" : ": " + tail));
    }
    if (stdinFailure != null) {
      throw new PgException(Kind.TRANSIENT, "could not write " + name + "'s input: "
          + stdinFailure.getMessage(), stdinFailure);
    }
    if (capturedOverflow) {
      throw new PgException(Kind.TRANSIENT, name + " wrote more than "
          + CAPTURE_LIMIT_BYTES + " bytes to stdout, more than drflow keeps in memory");
    }
  }

  /**
   * Stops the tool and every process it started (pg_restore -j forks workers): SIGTERM first so
   * they can close their connections, SIGKILL to whatever is left after a grace period.
   */
  public void destroyTree() {
    if (!process.isAlive()) {
      return;
    }
    destroyedByUs = true;
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} (pid {}) ignored SIGTERM; killing it", name, process.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tree.addAll(process.descendants().toList());
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Stops the tool if it still runs; a no-op after a successful wait. */
  @Override
  public void close() {
    destroyTree();
    try {
      process.getInputStream().close();
    } catch (IOException ignored) {
      // the pipe is gone with the process
    }
  }

  private void joinReaders() {
    try {
      stderrReader.join(TimeUnit.SECONDS.toMillis(10));
      if (stdoutReader != null) {
        stdoutReader.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgException(Kind.TRANSIENT, "interrupted while collecting " + name + " output", e);
    }
  }

  private void capture() {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = process.getInputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (captured.size() + n > CAPTURE_LIMIT_BYTES) {
          capturedOverflow = true; // keep draining so the tool is not blocked on a full pipe
        } else {
          captured.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process died or was destroyed; its exit code tells the story
    }
  }

  private static void drain(InputStream in, TailBuffer into) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        into.append(buf, n);
      }
    } catch (IOException e) {
      // as above
    }
  }

  /**
   * Hands each stderr line to {@code consumer}; lines it does not claim (returns false for) are
   * kept for error messages. A consumer that throws is not called again.
   */
  private static void drainLines(InputStream in, TailBuffer into, Predicate<String> consumer) {
    boolean listening = true;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        boolean claimed = false;
        if (listening) {
          try {
            claimed = consumer.test(line);
          } catch (RuntimeException e) {
            listening = false;
            log.warn("stderr listener failed: {}", e.toString());
          }
        }
        if (!claimed) {
          byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
          into.append(b, b.length);
        }
      }
    } catch (IOException e) {
      // the process died or was destroyed; its exit code tells the story
    }
  }

  private void feedStdin(byte[] input) throws IOException {
    OutputStream stdin = process.getOutputStream();
    if (input == null) {
      stdin.close(); // a tool that wants input gets EOF instead of waiting forever
      return;
    }
    daemon(name + "-stdin", () -> {
      try (stdin) {
        stdin.write(input);
      } catch (IOException e) {
        stdinFailure = e;
      }
    });
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** How to start a tool. */
  public static final class Builder {
    private final List<String> command;
    private final Map<String, String> environment = new HashMap<>();
    private Output output = Output.DISCARD;
    private Path stdoutFile;
    private byte[] stdin;
    private String name;
    private Predicate<String> stderrLines;

    private Builder(List<String> command) {
      if (command.isEmpty()) {
        throw new IllegalArgumentException("empty command");
      }
      this.command = new ArrayList<>(command);
    }

    public Builder args(String... args) {
      return args(List.of(args));
    }

    public Builder args(List<String> args) {
      command.addAll(args);
      return this;
    }

    /** Variables set in the child (after inherited connection variables were removed). */
    public Builder environment(Map<String, String> env) {
      environment.putAll(env);
      return this;
    }

    public Builder stdout(Output o) {
      this.output = o;
      return this;
    }

    public Builder stdoutTo(Path file) {
      this.stdoutFile = file;
      return this;
    }

    /** Bytes written to the tool's stdin, which is then closed; without, stdin is closed at once. */
    public Builder stdin(byte[] bytes) {
      this.stdin = bytes.clone();
      return this;
    }

    /**
     * Receives stderr line by line, on the reader thread; lines it returns true for are left out
     * of the tail kept for error messages (progress chatter).
     */
    public Builder stderrLines(Predicate<String> consumer) {
      this.stderrLines = consumer;
      return this;
    }

    /** The name errors use; defaults to the first command element's file name. */
    public Builder name(String n) {
      this.name = n;
      return this;
    }

    public PgProcess start() {
      try {
        return new PgProcess(this);
      } catch (IOException e) {
        throw new PgException(
            Kind.TOOL_UNAVAILABLE, "cannot start " + command.get(0) + ": " + e.getMessage(), e);
      }
    }
  }

  /** The last {@code capacity} bytes written, so a chatty tool cannot fill the worker's heap. */
  static final class TailBuffer {
    private final byte[] ring;
    private long total;

    TailBuffer(int capacity) {
      this.ring = new byte[capacity];
    }

    synchronized void append(byte[] b, int len) {
      for (int i = 0; i < len; i++) {
        ring[(int) (total++ % ring.length)] = b[i];
      }
    }

    synchronized String text() {
      int len = (int) Math.min(total, ring.length);
      byte[] out = new byte[len];
      long start = total - len;
      for (int i = 0; i < len; i++) {
        out[i] = ring[(int) ((start + i) % ring.length)];
      }
      String s = new String(out, StandardCharsets.UTF_8);
      return total > ring.length ? "[..." + (total - len) + " bytes cut...] " + s : s;
    }
  }
}
