package io.drflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench/run.sh}: times, on the same database, S3 server and machine, the shell recipe
 * (pg_dump -Z9, sha256sum, aws s3 cp and back, serial pg_restore), drflow's backup and drill
 * through the real workflows on the Temporal dev server with a drflow worker process, and the
 * floor (pg_dump -Z0 to a local file, pg_restore -j cores). Prints medians and ratios.
 *
 * <p>Usage: {@code BenchMain compare --repo DIR --dir DIR [--size-gb 1] [--runs 3]} or {@code
 * BenchMain concurrent --repo DIR --dir DIR [--drills 100] [--heap 512m]}.
 */
public final class BenchMain {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    String mode = args.length > 0 ? args[0] : "compare";
    for (int i = 1; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path repo = Path.of(opts.getOrDefault("repo", ".")).toAbsolutePath();
    Path dir = Path.of(opts.getOrDefault("dir", "/tmp/drflow-bench-" + System.currentTimeMillis()));
    int code;
    try (BenchStack stack = new BenchStack(repo, dir)) {
      stack.encryptBackups = "true".equals(opts.get("encrypt"));
      code =
          switch (mode) {
            case "compare" -> new Compare(stack, opts).run();
            case "concurrent" -> new ConcurrentDrills(stack, opts).run();
            case "overhead" -> overhead(stack, opts);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
          };
    }
    if (!"true".equals(opts.get("keep"))) {
      deleteTree(dir);
    }
    System.exit(code);
  }

  /** Orchestration overhead alone, on dev servers persisting to disk and to memory. */
  static int overhead(BenchStack stack, Map<String, String> opts) throws Exception {
    int n = Integer.parseInt(opts.getOrDefault("activities", "40"));
    List<String> dyn = opts.containsKey("dynamic") ? List.of(opts.get("dynamic").split(",")) : List.of();
    for (boolean file : new boolean[] {true, false}) {
      try (DevServer s = DevServer.start(stack.dir.resolve(file ? "t-file" : "t-mem"), file, dyn)) {
        OrchestrationBench.Overhead o = OrchestrationBench.perActivity(s.target(), n, 5);
        say("dev server (" + s.mode + "): per activity ms " + Stats.all(o.samples()) + " median "
            + Stats.f(o.msPerActivity()) + "; empty workflow " + Stats.f(o.emptyWorkflowMs()) + " ms");
      }
    }
    return 0;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static void say(String s) {
    System.out.println(s);
    System.out.flush();
  }

  /** The side-by-side comparison. */
  static final class Compare {
    private final BenchStack stack;
    private final double sizeGb;
    private final int runs;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final int noopActivities;
    private final boolean warmup;
    private final List<String> workerJvm;
    private final Map<String, String> opts;

    private final Map<String, List<Double>> t = new LinkedHashMap<>();
    private final List<Long> recipeBytes = new ArrayList<>();
    private final List<Long> drflowBytes = new ArrayList<>();
    private final List<Long> drflowDataBytes = new ArrayList<>();
    private long floorBytes;

    Compare(BenchStack stack, Map<String, String> opts) {
      this.stack = stack;
      this.opts = opts;
      this.sizeGb = Double.parseDouble(opts.getOrDefault("size-gb", "1"));
      // Small runs are quick and this machine is noisy: more of them make steadier medians.
      this.runs = Integer.parseInt(opts.getOrDefault("runs", sizeGb <= 0.25 ? "5" : "3"));
      this.noopActivities = Integer.parseInt(opts.getOrDefault("activities", "40"));
      this.warmup = !"false".equals(opts.get("warmup"));
      String jvm = opts.getOrDefault("worker-jvm", System.getenv().getOrDefault("DRFLOW_BENCH_WORKER_OPTS", ""));
      this.workerJvm = jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+"));
    }

    int run() throws Exception {
      Instant began = Instant.now();
      String loadBefore = machineLoad();
      stack.startDatabases(100);
      BenchDatabase.Shape shape = BenchDatabase.Shape.forSize(sizeGb);
      say(String.format(Locale.ROOT, "generating %.2f GB: pgbench -i -s %d + %,d bench_events rows ...",
          sizeGb, shape.scale(), shape.events()));
      long t0 = System.nanoTime();
      long dbBytes = BenchDatabase.create(stack.source, BenchStack.DATABASE, shape, stack.pg.dir(), stack.log);
      say(String.format(Locale.ROOT, "database: %s (%.1f s to generate)", Stats.mib(dbBytes), (System.nanoTime() - t0) / 1e9));
      stack.startServices();
      stack.writeConfig("", "");
      stack.startWorker(workerJvm);
      Proc.run(Proc.cmd("/usr/bin/aws", "--endpoint-url", stack.s3.endpoint(), "s3", "mb", "s3://recipe"),
          stack.s3Env(), stack.log);
      say("stack: source :" + stack.source.port() + ", target :" + stack.target.port() + ", s3 " + stack.s3.endpoint()
          + ", temporal " + stack.temporalTarget() + ", worker pid " + stack.workerPid() + ", pg " + stack.pg.version()
          + ", " + cores + " cores");

      if (warmup) {
        say("warm-up: one drflow backup and drill (not counted)");
        drflowBackup(false);
        drflowDrill(false);
      }
      for (int run = 1; run <= runs; run++) {
        say("run " + run + "/" + runs);
        List<Runnable> order = List.of(this::recipe, this::drflow, this::floor);
        for (int k = 0; k < order.size(); k++) {
          order.get((k + run - 1) % order.size()).run();
        }
      }
      Duration elapsed = Duration.between(began, Instant.now());
      say("");
      report(dbBytes, shape);

      say("");
      say("orchestration: a no-op runbook of " + noopActivities + " activities on the dev server ...");
      OrchestrationBench.Overhead o = OrchestrationBench.perActivity(stack.temporalTarget(), noopActivities, 5);
      say("  dev server (" + stack.temporal.mode + "): per activity (ms) " + Stats.all(o.samples()) + "  median "
          + Stats.f(o.msPerActivity()) + "; empty workflow start-to-result " + Stats.f(o.emptyWorkflowMs()) + " ms");
      if (!"false".equals(opts.get("reference-overhead"))) {
        try (DevServer plain = DevServer.start(stack.dir.resolve("temporal-file"), true, List.of())) {
          OrchestrationBench.Overhead p = OrchestrationBench.perActivity(plain.target(), noopActivities, 3);
          say("  for reference, dev server (" + plain.mode + ", default config): per activity (ms) "
              + Stats.all(p.samples()) + "  median " + Stats.f(p.msPerActivity()));
        }
      }
      OrchestrationBench.Simulation sim = OrchestrationBench.oneHourRunbook();
      say(String.format(Locale.ROOT,
          "  time skipping: a runbook using its whole 1 h RTO (6 phases, all over budget) simulated %.0f s in %.0f ms",
          sim.simulatedMs() / 1000.0, sim.wallMs()));
      say("benchmark time: " + elapsed.toSeconds() + " s (plus orchestration)");
      say("machine load (shared with other work): before " + loadBefore + "; after " + machineLoad());
      say("");
      double drill = Stats.median(t.get("drflow drill"));
      say("ratio drill/floor=" + Stats.f3(drill / Stats.median(t.get("floor restore"))));
      say("ratio drill/recipe=" + Stats.f3(drill / Stats.median(t.get("recipe restore"))));
      say("ratio backup/recipe=" + Stats.f3(Stats.median(t.get("drflow backup")) / Stats.median(t.get("recipe backup"))));
      say("ratio bytes/recipe=" + Stats.f3(medianLong(drflowBytes) / medianLong(recipeBytes)));
      say("overhead_ms_per_activity=" + Stats.f(o.msPerActivity()));
      return 0;
    }

    private void put(String key, double seconds) {
      t.computeIfAbsent(key, k -> new ArrayList<>()).add(seconds);
    }

    // ---- the recipe ----------------------------------------------------------------------

    private void recipe() {
      Path file = stack.dir.resolve("recipe.pgc");
      String url = "s3://recipe/" + BenchStack.DATABASE + "-" + System.nanoTime() + ".pgc";
      Map<String, String> env = new LinkedHashMap<>(stack.s3Env());
      env.putAll(stack.sourceEnv());
      env.put("PGBIN", stack.pg.dir().toString());
      String script = stack.repo.resolve("bench/recipe.sh").toString();
      Proc.Outcome b = Proc.run(Proc.cmd("bash", script, "backup", file, stack.s3.endpoint(), url), env, stack.log);
      Map<String, Double> bs = steps(b.stdout());
      put("recipe backup", b.seconds());
      bs.forEach((k, v) -> put("recipe backup " + k, v));
      try {
        recipeBytes.add(Files.size(file) + Files.size(Path.of(file + ".sha256")));
        Files.delete(file);
        Files.delete(Path.of(file + ".sha256"));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      String db = "recipe_restore";
      stack.targetSql("drop database if exists " + db + "; create database " + db);
      Map<String, String> renv = new LinkedHashMap<>(stack.s3Env());
      renv.putAll(stack.targetEnv(db));
      renv.put("PGBIN", stack.pg.dir().toString());
      Proc.Outcome r = Proc.run(Proc.cmd("bash", script, "restore", file, stack.s3.endpoint(), url, db), renv, stack.log);
      Map<String, Double> rs = steps(r.stdout());
      put("recipe restore", r.seconds());
      rs.forEach((k, v) -> put("recipe restore " + k, v));
      stack.targetSql("drop database " + db);
      deleteQuietly(file);
      deleteQuietly(Path.of(file + ".sha256"));
      say(String.format(Locale.ROOT, "  recipe: backup %.2f s %s, restore %.2f s %s", b.seconds(), bs, r.seconds(), rs));
    }

    private static Map<String, Double> steps(String stdout) {
      Map<String, Double> out = new LinkedHashMap<>();
      for (String line : stdout.split("\n")) {
        String[] p = line.trim().split(" ");
        if (p.length == 3 && p[0].equals("step")) {
          out.put(p[1], Double.parseDouble(p[2]));
        }
      }
      return out;
    }

    // ---- drflow --------------------------------------------------------------------------

    private void drflow() {
      double backup = drflowBackup(true);
      double drill = drflowDrill(true);
      say(String.format(Locale.ROOT, "  drflow: backup %.2f s, drill %.2f s", backup, drill));
    }

    private double drflowBackup(boolean record) {
      JsonNode r = stack.drctl("backup", BenchStack.SERVICE, "--json");
      require(r, "COMPLETED");
      double seconds = between(r.get("startedAt").asText(), r.get("endedAt").asText());
      if (record) {
        put("drflow backup", seconds);
        for (JsonNode p : r.get("phases")) {
          put("drflow backup " + p.get("name").asText(), p.get("seconds").asDouble());
        }
        String key = r.get("backup").get("key").asText();
        drflowDataBytes.add(r.get("backup").get("storedBytes").asLong());
        drflowBytes.add(objectBytes(key.substring(0, key.lastIndexOf('/'))));
      }
      return seconds;
    }

    private double drflowDrill(boolean record) {
      JsonNode r = stack.drctl("drill", BenchStack.SERVICE, "--json");
      require(r, "PASSED");
      Map<String, JsonNode> phases = new LinkedHashMap<>();
      for (JsonNode p : r.get("phases")) {
        phases.put(p.get("name").asText(), p);
      }
      // Download + verify + restore + validate, including the hand-offs between them.
      double seconds =
          between(phases.get("Download").get("startedAt").asText(), phases.get("Validate").get("endedAt").asText());
      if (record) {
        put("drflow drill", seconds);
        phases.forEach((name, p) -> put("drflow drill " + name, p.get("seconds").asDouble()));
        put("drflow drill RTO achieved", r.get("rto").get("achievedSeconds").asDouble());
        put("drflow drill whole run", between(r.get("startedAt").asText(), r.get("endedAt").asText()));
      }
      return seconds;
    }

    private static void require(JsonNode report, String status) {
      if (!status.equals(report.path("status").asText())) {
        throw new IllegalStateException("run ended " + report.path("status").asText() + ": " + report.path("error").asText()
            + "\n" + report.toPrettyString());
      }
    }

    /** Bytes of every object under a backup's directory, as S3Proxy's filesystem stores them. */
    private long objectBytes(String prefix) {
      Path d = stack.s3.dataDir().resolve(BenchStack.BUCKET).resolve(prefix);
      try (Stream<Path> files = Files.walk(d)) {
        return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      } catch (IOException e) {
        throw new IllegalStateException("cannot size " + d, e);
      }
    }

    // ---- the floor -----------------------------------------------------------------------

    private void floor() {
      Path file = stack.dir.resolve("floor.pgc");
      Proc.Outcome d = Proc.run(Proc.cmd(stack.pg.binary("pg_dump"), "-Fc", "-Z0", "-f", file), stack.sourceEnv(), stack.log);
      put("floor dump", d.seconds());
      String db = "floor_restore";
      stack.targetSql("drop database if exists " + db + "; create database " + db);
      Proc.Outcome r = Proc.run(
          Proc.cmd(stack.pg.binary("pg_restore"), "-j", cores, "--exit-on-error", "-d", db, file), stack.targetEnv(db), stack.log);
      put("floor restore", r.seconds());
      floorBytes = file.toFile().length();
      stack.targetSql("drop database " + db);
      deleteQuietly(file);
      say(String.format(Locale.ROOT, "  floor: pg_dump -Z0 %.2f s, pg_restore -j%d %.2f s", d.seconds(), cores, r.seconds()));
    }

    // ---- output --------------------------------------------------------------------------

    private void report(long dbBytes, BenchDatabase.Shape shape) {
      say(String.format(Locale.ROOT,
          "== drflow benchmark: database %s (pgbench -s %d + %,d bench_events rows), raw dump %s, %d runs, %d cores",
          Stats.mib(dbBytes), shape.scale(), shape.events(), Stats.mib(floorBytes), runs, cores));
      say(String.format(Locale.ROOT, "%-36s %-28s %s", "seconds", "runs", "median"));
      for (Map.Entry<String, List<Double>> e : t.entrySet()) {
        say(String.format(Locale.ROOT, "%-36s %-28s %s", e.getKey(), Stats.all(e.getValue()), Stats.f(Stats.median(e.getValue()))));
      }
      say(String.format(Locale.ROOT, "bytes stored: recipe %s (pg_dump -Z9 + .sha256), drflow %s (all objects; dump.zst %s), raw %s",
          Stats.mib((long) medianLong(recipeBytes)), Stats.mib((long) medianLong(drflowBytes)),
          Stats.mib((long) medianLong(drflowDataBytes)), Stats.mib(floorBytes)));
      double drill = Stats.median(t.get("drflow drill"));
      double floorR = Stats.median(t.get("floor restore"));
      double recipeR = Stats.median(t.get("recipe restore"));
      double backup = Stats.median(t.get("drflow backup"));
      double recipeB = Stats.median(t.get("recipe backup"));
      say(String.format(Locale.ROOT, "drill end to end %.2f s = %.3f x floor restore (target <= 1.15), %.2f x faster than the recipe (target >= 2)",
          drill, drill / floorR, recipeR / drill));
      say(String.format(Locale.ROOT, "backup end to end %.2f s: %.2f x faster than the recipe (target >= 3), bytes %.3f x (target <= 1.1)",
          backup, recipeB / backup, medianLong(drflowBytes) / medianLong(recipeBytes)));
    }
  }

  /** Load averages and the share of time tasks waited for a CPU (PSI), when Linux tells. */
  static String machineLoad() {
    try {
      String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
      String psi = "";
      Path cpu = Path.of("/proc/pressure/cpu");
      if (Files.exists(cpu)) {
        for (String part : Files.readAllLines(cpu).get(0).split(" ")) {
          if (part.startsWith("avg60=")) {
            psi = ", CPU pressure " + part.substring(6) + "%";
          }
        }
      }
      return "load " + load[0] + " " + load[1] + " " + load[2] + psi;
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static double medianLong(List<Long> values) {
    List<Double> d = new ArrayList<>();
    values.forEach(v -> d.add(v.doubleValue()));
    return Stats.median(d);
  }

  static double between(String from, String to) {
    return Duration.between(Instant.parse(from), Instant.parse(to)).toNanos() / 1e9;
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover file in the bench directory is removed with it
    }
  }
}
