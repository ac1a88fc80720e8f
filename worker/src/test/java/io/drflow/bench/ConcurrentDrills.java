package io.drflow.bench;

import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.drill.RestoreDrillWorkflow;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One worker process with a fixed heap runs many drills of a small database at once; every one
 * must pass, and the GC log shows how much heap it took.
 */
final class ConcurrentDrills {

  private static final Pattern GC_LINE =
      Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  private final BenchStack stack;
  private final int drills;
  private final String heap;
  private final double sizeGb;

  ConcurrentDrills(BenchStack stack, Map<String, String> opts) {
    this.stack = stack;
    this.drills = Integer.parseInt(opts.getOrDefault("drills", "100"));
    this.heap = opts.getOrDefault("heap", "512m");
    this.sizeGb = Double.parseDouble(opts.getOrDefault("size-gb", "0.01"));
  }

  int run() throws Exception {
    // Restores (pg_restore -j cores) and validations run up to 20 at a time per queue.
    stack.startDatabases(500);
    BenchDatabase.Shape shape = BenchDatabase.Shape.forSize(sizeGb);
    long dbBytes = BenchDatabase.create(stack.source, BenchStack.DATABASE, shape, stack.pg.dir(), stack.log);
    stack.startServices();
    stack.writeConfig("", "");
    Path gcLog = stack.dir.resolve("worker-gc.log");
    stack.startWorker(List.of("-Xmx" + heap, "-Xlog:gc:file=" + gcLog));
    BenchMain.say(String.format(Locale.ROOT, "concurrent drills: %d drills of a %s database on one worker (-Xmx%s)",
        drills, Stats.mib(dbBytes), heap));
    stack.drctl("backup", BenchStack.SERVICE, "--json");

    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalTarget()).build());
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      List<CompletableFuture<RunReport>> results = new ArrayList<>();
      for (int i = 0; i < drills; i++) {
        WorkflowStub stub =
            client.newUntypedWorkflowStub(
                RestoreDrillWorkflow.TYPE,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(BenchStack.TASK_QUEUE)
                    .setWorkflowId("bench-drill-" + i + "-" + System.nanoTime())
                    .build());
        stub.start(new DrillInput(BenchStack.SERVICE, null, false));
        results.add(stub.getResultAsync(RunReport.class));
      }
      for (CompletableFuture<RunReport> f : results) {
        try {
          RunReport r = f.join();
          outcomes.merge(r.status(), 1, Integer::sum);
        } catch (RuntimeException e) {
          outcomes.merge("ERROR", 1, Integer::sum);
          if (failures.size() < 5) {
            failures.add(String.valueOf(e.getCause() != null ? e.getCause() : e));
          }
        }
      }
    } finally {
      service.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    stack.stopWorker();
    long peakBefore = 0;
    long peakAfter = 0;
    long committed = 0;
    int gcs = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_LINE.matcher(line);
      if (m.find()) {
        gcs++;
        peakBefore = Math.max(peakBefore, Long.parseLong(m.group(1)));
        peakAfter = Math.max(peakAfter, Long.parseLong(m.group(2)));
        committed = Math.max(committed, Long.parseLong(m.group(3)));
      }
    }
    int passed = outcomes.getOrDefault("PASSED", 0);
    BenchMain.say(String.format(Locale.ROOT, "  %d drills in %.1f s: %s", drills, seconds, outcomes));
    failures.forEach(f -> BenchMain.say("  failure: " + f));
    BenchMain.say(String.format(Locale.ROOT,
        "  worker heap: -Xmx%s, peak used before GC %d MiB, largest live set after GC %d MiB, most committed %d MiB, %d GCs",
        heap, peakBefore, peakAfter, committed, gcs));
    BenchMain.say("concurrent_drills_passed=" + passed + "/" + drills);
    BenchMain.say("worker_heap_peak_mib=" + peakBefore);
    return passed == drills ? 0 : 1;
  }
}
