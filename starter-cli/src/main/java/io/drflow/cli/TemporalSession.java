package io.drflow.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** A connection to the configured Temporal server for one drctl invocation. */
final class TemporalSession implements AutoCloseable {

  final CliConfig config;
  final WorkflowServiceStubs service;
  final WorkflowClient client;
  final ScheduleClient schedules;

  private TemporalSession(
      CliConfig config, WorkflowServiceStubs service, WorkflowClient client, ScheduleClient schedules) {
    this.config = config;
    this.service = service;
    this.client = client;
    this.schedules = schedules;
  }

  static TemporalSession open(CliConfig config) {
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(config.target())
                .setRpcTimeout(Duration.ofSeconds(10))
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace(config.namespace()).build());
    ScheduleClient schedules =
        ScheduleClient.newInstance(
            service, ScheduleClientOptions.newBuilder().setNamespace(config.namespace()).build());
    return new TemporalSession(config, service, client, schedules);
  }

  @Override
  public void close() {
    service.shutdown();
  }
}
