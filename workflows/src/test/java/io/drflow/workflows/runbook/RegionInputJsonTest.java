package io.drflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.drflow.workflows.failover.FailoverInput;
import io.drflow.workflows.recovery.RecoveryInput;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Recovery and failover inputs typed into the Temporal UI: a wrong type or an unknown key is read
 * into a problem the workflow reports as InvalidInput (before, the payload could not be read and
 * the run stayed "Running" with a failing workflow task), and what drctl sends still round-trips.
 */
class RegionInputJsonTest {

  private final DataConverter converter = RunbookDataConverter.create();

  private <T> T read(String json, Class<T> type) {
    Payload p = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();
    return converter.fromPayload(p, type, type);
  }

  @Test
  void aStringWhereTrueOrFalseBelongsIsAProblemNotAStuckRun() {
    assertThat(read("{\"service\":\"shop\",\"yes\":\"please\"}", RecoveryInput.class).problem())
        .contains("input key 'yes' must be true or false, got a string (\"please\")");
    assertThat(read("{\"service\":\"shop\",\"to\":\"dr\",\"drill\":\"yes\"}", FailoverInput.class).problem())
        .contains("input key 'drill' must be true or false");
    assertThat(read("{\"service\":\"shop\",\"incidentStrat\":\"2026-11-22T02:10:00Z\"}", RecoveryInput.class).problem())
        .contains("unknown input key 'incidentStrat'");
    assertThat(read("{\"service\":\"shop\",\"to\":\"dr\"}", FailoverInput.class).problem()).isNull();
  }

  @Test
  void whatDrctlSendsRoundTrips() {
    RecoveryInput r = new RecoveryInput("shop", null, "2026-11-22T02:10:00Z", null, null, true, null, "alice");
    RecoveryInput back = converter.fromPayload(converter.toPayload(r).orElseThrow(), RecoveryInput.class, RecoveryInput.class);
    assertThat(back).isEqualTo(r);
    FailoverInput f = new FailoverInput("shop", "dr", null, true, true, null, "alice");
    FailoverInput fb = converter.fromPayload(converter.toPayload(f).orElseThrow(), FailoverInput.class, FailoverInput.class);
    assertThat(fb.problem()).isNull();
    assertThat(fb.to()).isEqualTo("dr");
    assertThat(fb.isDrill()).isTrue();
    assertThat(fb.preApproved()).isTrue();
    assertThat(fb.isFailback()).isFalse();
    assertThat(fb.requestedBy()).isEqualTo("alice");
  }
}
