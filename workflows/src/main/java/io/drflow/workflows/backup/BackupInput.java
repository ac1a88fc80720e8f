package io.drflow.workflows.backup;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.workflows.runbook.JsonInput;

/**
 * Input of {@code BackupWorkflow}: {@code {"service":"shop"}}.
 *
 * @param problem why the JSON given could not be read as this input; never serialized
 */
public record BackupInput(String service, @JsonIgnore String problem) implements JsonInput.Lenient {

  public static final String EXAMPLE = "{\"service\":\"shop\"}";

  // Not a creator: Jackson would otherwise read a bare "shop" through it and hide the mistake.
  @JsonCreator(mode = JsonCreator.Mode.DISABLED)
  public BackupInput(String service) {
    this(service, null);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static BackupInput fromJson(JsonNode json) {
    JsonInput in = JsonInput.of(json, EXAMPLE, "service");
    return new BackupInput(in.text("service"), in.problem());
  }
}
