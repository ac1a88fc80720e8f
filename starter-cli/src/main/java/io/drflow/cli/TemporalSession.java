package io.drflow.cli;

import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.common.converter.DataConverter;
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
    // Keys first: a missing key variable is reported before any connection is made.
    DataConverter converter = RunbookDataConverter.create(config.payloadKeys());
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(config.target())
                .setRpcTimeout(Duration.ofSeconds(10))
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder()
                .setNamespace(config.namespace())
                .setDataConverter(converter)
                .build());
    // Schedules hold the inputs of the runs they start: the same converter encrypts those.
    ScheduleClient schedules =
        ScheduleClient.newInstance(
            service,
            ScheduleClientOptions.newBuilder()
                .setNamespace(config.namespace())
                .setDataConverter(converter)
                .build());
    return new TemporalSession(config, service, client, schedules);
  }

  @Override
  public void close() {
    service.shutdown();
  }
}
