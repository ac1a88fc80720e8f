package io.drflow.worker;

import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.TemporalConfig;
import io.drflow.workflows.Workflows;
import io.drflow.workflows.codec.PayloadEncryption;
import io.drflow.workflows.codec.PayloadKeys;
import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running drflow worker: the shared task queue (workflows and activities) plus this host's own
 * queue, where download and restore run so the restore finds the file the download wrote.
 */
public final class DrflowWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DrflowWorker.class);

  /** At most this much of a long activity's progress is lost when its worker dies. */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(5);

  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final DrflowActivities activities;
  private final Duration grace;
  private final String hostQueue;
  private final WorkerMetrics metrics;
  private volatile boolean closed;

  /** How often the metrics are re-read from the bucket, to include other workers' runs. */
  static final Duration METRICS_REFRESH = Duration.ofMinutes(5);

  private DrflowWorker(
      WorkflowServiceStubs service,
      WorkerFactory factory,
      DrflowActivities activities,
      Duration grace,
      String hostQueue,
      WorkerMetrics metrics) {
    this.service = service;
    this.factory = factory;
    this.activities = activities;
    this.grace = grace;
    this.hostQueue = hostQueue;
    this.metrics = metrics;
  }

  public static DrflowWorker start(DrflowConfig config, Secrets secrets) {
    WorkerMetrics metrics = WorkerMetrics.start(config.metrics());
    try {
      return start(config, secrets, metrics);
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
  }

  private static DrflowWorker start(DrflowConfig config, Secrets secrets, WorkerMetrics metrics) {
    TemporalConfig t = config.temporal();
    PayloadKeys payloadKeys = payloadKeys(t, secrets);
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(t.target())
                .setMetricsScope(metrics.temporalScope())
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder()
                .setNamespace(t.namespace())
                .setDataConverter(RunbookDataConverter.create(payloadKeys))
                .build());
    WorkerFactoryOptions.Builder factoryOptions = WorkerFactoryOptions.newBuilder();
    CrashPoint.fromEnvironment()
        .ifPresent(
            p -> {
              log.warn("{}={}: this worker kills itself there (crash tests only)", CrashPoint.ENV, p.point());
              factoryOptions.setWorkerInterceptors(p);
            });
    WorkerFactory factory = WorkerFactory.newInstance(client, factoryOptions.build());
    String hostQueue = HostQueue.name(t.taskQueue(), config.worker().hostId());
    DrflowActivities activities = DrflowActivities.create(config, secrets, hostQueue, metrics.runs());
    activities.sweepStaleWorkFiles();
    if (metrics.enabled()) {
      activities.startMetricsRefresh(METRICS_REFRESH);
    }

    register(factory, config, activities, hostQueue);
    factory.start();
    log.info(
        "drflow worker serving task queue '{}' and host queue '{}' on {} (namespace {})",
        t.taskQueue(),
        hostQueue,
        t.target(),
        t.namespace());
    if (payloadKeys != null) {
      log.info(
          "workflow payloads encrypted with key id '{}' (decrypts: {})", payloadKeys.currentId(), payloadKeys.ids());
    }
    if (metrics.enabled()) {
      log.info("metrics: {}", metrics.url());
    }
    return new DrflowWorker(
        service,
        factory,
        activities,
        Duration.ofSeconds(config.worker().shutdownGraceSeconds()),
        hostQueue,
        metrics);
  }

  /**
   * The payload keys when {@code temporal.payloadEncryption} is configured, else null. A missing
   * key variable is a {@link Secrets.MissingSecretException} like any other the config names.
   */
  static PayloadKeys payloadKeys(TemporalConfig t, Secrets secrets) {
    PayloadEncryption pe = t.payloadEncryption();
    return pe == null ? null : PayloadKeys.load(pe, name -> secrets.optional(name).orElse(null));
  }

  /**
   * Registers drflow on a factory: workflows and all activities on the shared queue, the
   * file-sharing activities again on this host's queue.
   */
  public static void register(
      WorkerFactory factory, DrflowConfig config, DrflowActivities activities, String hostQueue) {
    WorkerOptions options =
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(config.worker().maxConcurrentActivities())
            // By default the SDK sends a heartbeat at most every 0.8 x the heartbeat timeout (48 s
            // here): a worker that dies mid-download would leave a checkpoint that old on the
            // server, and the retry would fetch those 48 s again.
            .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
            .build();
    Worker shared = factory.newWorker(config.temporal().taskQueue(), options);
    shared.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS);
    shared.registerActivitiesImplementations(activities.all().toArray());
    Worker host = factory.newWorker(hostQueue, options);
    host.registerActivitiesImplementations(activities.hostLocal().toArray());
  }

  public String hostQueue() {
    return hostQueue;
  }

  /** The bound metrics endpoint, or null when metrics are disabled. */
  public String metricsUrl() {
    return metrics.url();
  }

  /**
   * Stops polling, lets in-flight activities finish (or heartbeat out) within the grace period,
   * then interrupts what is left; Temporal retries those elsewhere.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("drflow worker stopping: waiting up to {}s for in-flight activities", grace.toSeconds());
    factory.shutdown();
    factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    if (!factory.isTerminated()) {
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
    }
    activities.close();
    service.shutdown();
    metrics.close();
    log.info("drflow worker stopped");
  }
}
