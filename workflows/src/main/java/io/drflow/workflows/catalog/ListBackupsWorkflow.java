package io.drflow.workflows.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.runbook.JsonInput;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Lists a service's backups through the worker, so responders' machines need Temporal access
 * only, never the bucket's credentials.
 */
@WorkflowInterface
public interface ListBackupsWorkflow {

  String TYPE = "ListBackupsWorkflow";

  /**
   * {@code {"service":"shop","limit":20}}; read leniently so that input typed into the UI fails
   * the run with a readable InvalidInput instead of sticking it.
   *
   * @param problem why the JSON given could not be read as this input; never serialized
   */
  record Request(String service, Integer limit, @JsonIgnore String problem) implements JsonInput.Lenient {

    public static final String EXAMPLE = "{\"service\":\"shop\",\"limit\":20}";

    public Request(String service, Integer limit) {
      this(service, limit, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Request fromJson(JsonNode json) {
      JsonInput in = JsonInput.of(json, EXAMPLE, "service", "limit");
      return new Request(in.text("service"), in.integer("limit"), in.problem());
    }
  }

  @WorkflowMethod(name = TYPE)
  List<BackupRef> list(Request request);
}
