package io.drflow.workflows.drill;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.workflows.runbook.JsonInput;

/**
 * Input of {@code RestoreDrillWorkflow}, as typed into the Temporal UI: {@code {"service":"shop"}}
 * is enough.
 *
 * @param backup a backup key or id; absent means the newest backup whose manifest verifies
 * @param keepScratch leave the scratch database in place for inspection (the report names it)
 * @param problem why the JSON given could not be read as this input; never serialized
 */
public record DrillInput(
    String service, String backup, Boolean keepScratch, @JsonIgnore String problem) implements JsonInput.Lenient {

  public static final String EXAMPLE = "{\"service\":\"shop\"}";

  public DrillInput(String service, String backup, Boolean keepScratch) {
    this(service, backup, keepScratch, null);
  }

  public static DrillInput of(String service) {
    return new DrillInput(service, null, false);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static DrillInput fromJson(JsonNode json) {
    JsonInput in = JsonInput.of(json, EXAMPLE, "service", "backup", "keepScratch");
    return new DrillInput(in.text("service"), in.text("backup"), in.bool("keepScratch"), in.problem());
  }

  @JsonIgnore
  public boolean keep() {
    return keepScratch != null && keepScratch;
  }
}
