package io.drflow.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Watches a worker process and every process it starts (pg_dump, pg_dumpall, pg_restore) through
 * /proc while a run goes on: what each one's command line was, and whether a password reached it
 * through its environment instead (the positive control: a watch that saw nothing proves nothing).
 */
final class ProcessWatch implements AutoCloseable {

  /** One process as seen. */
  record Seen(long pid, String tool, String cmdline, boolean passwordInEnvironment) {}

  private final long root;
  private final List<String> secrets;
  private final Map<Long, Seen> seen = new ConcurrentHashMap<>();
  private final Thread sampler;
  private volatile boolean stop;

  ProcessWatch(long rootPid, Collection<String> secrets) {
    this.root = rootPid;
    this.secrets = List.copyOf(secrets);
    sample(root);
    this.sampler = Thread.ofPlatform().daemon().name("process-watch-" + rootPid).start(this::loop);
  }

  private void loop() {
    while (!stop) {
      ProcessHandle.of(root)
          .ifPresent(
              h -> {
                sample(h.pid());
                try (Stream<ProcessHandle> d = h.descendants()) {
                  d.forEach(c -> sample(c.pid()));
                }
              });
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sample(long pid) {
    if (seen.containsKey(pid)) {
      return;
    }
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
      if (cmdline.isEmpty()) {
        return; // exiting, or not yet exec'd: look again next round
      }
      String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
      boolean pw = false;
      for (String var : environ.split("\0")) {
        if (var.startsWith("PGPASSWORD=") && secrets.contains(var.substring("PGPASSWORD=".length()))) {
          pw = true;
        }
      }
      String exe = cmdline.split(" ", 2)[0];
      String tool = exe.substring(exe.lastIndexOf('/') + 1);
      seen.putIfAbsent(pid, new Seen(pid, tool, cmdline, pw));
    } catch (IOException e) {
      // gone before we looked
    }
  }

  List<Seen> seen() {
    return List.copyOf(seen.values());
  }

  /** Tools seen, e.g. [java, pg_dump, pg_dumpall, pg_restore]. */
  TreeSet<String> tools() {
    TreeSet<String> out = new TreeSet<>();
    seen.values().forEach(s -> out.add(s.tool()));
    return out;
  }

  /** Processes whose command line holds a secret. */
  List<Seen> leaks() {
    return seen.values().stream().filter(s -> secrets.stream().anyMatch(s.cmdline()::contains)).toList();
  }

  /** Tools that got a password through PGPASSWORD. */
  TreeSet<String> toolsWithPasswordInEnvironment() {
    TreeSet<String> out = new TreeSet<>();
    seen.values().stream().filter(Seen::passwordInEnvironment).forEach(s -> out.add(s.tool()));
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    sampler.join(5_000);
  }
}
