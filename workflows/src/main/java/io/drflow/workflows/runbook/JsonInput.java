package io.drflow.workflows.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a runbook's JSON input without ever throwing. Input typed into the Temporal UI's Start
 * Workflow form that Jackson cannot map (a bare string, a typo'd key, "yes" for a boolean) would
 * otherwise fail every workflow task and leave the run stuck instead of failed; here each problem
 * is collected so the workflow can fail at once with a readable {@link Failures#INVALID_INPUT}.
 */
public final class JsonInput {

  /**
   * The one key {@link RunbookDataConverter} sets when the payload was not JSON at all; its value
   * says why. No runbook input has a key like it.
   */
  static final String NOT_JSON = "$notJson";

  /** Inputs read through {@link JsonInput}: any JSON, even none, becomes an instance. */
  public interface Lenient {}

  private final JsonNode node;
  private final List<String> problems = new ArrayList<>();

  private JsonInput(JsonNode node, String example, Set<String> keys) {
    if (node != null && node.isObject() && node.has(NOT_JSON)) {
      this.node = null;
      problems.add("input is not valid JSON (" + node.get(NOT_JSON).asText() + "); expected an object such as " + example);
      return;
    }
    this.node = node;
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (!node.isObject()) {
      problems.add(
          "input must be a JSON object such as " + example + ", got " + describe(node));
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!keys.contains(key)) {
        problems.add("unknown input key '" + key + "' (known: " + String.join(", ", keys) + ")");
      }
    }
  }

  public static JsonInput of(JsonNode node, String example, String... keys) {
    return new JsonInput(node, example, new LinkedHashSet<>(List.of(keys)));
  }

  /** The key's text, or null when absent or JSON null. */
  public String text(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add("input key '" + key + "' must be a string, got " + describe(v));
      return null;
    }
    return v.textValue();
  }

  /** The key's boolean, or null when absent or JSON null. */
  public Boolean bool(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      problems.add("input key '" + key + "' must be true or false, got " + describe(v));
      return null;
    }
    return v.booleanValue();
  }

  /** The key's whole number, or null when absent or JSON null. */
  public Integer integer(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      problems.add("input key '" + key + "' must be a whole number, got " + describe(v));
      return null;
    }
    return v.intValue();
  }

  /** Every problem found, joined; null when the input was well-formed. */
  public String problem() {
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private JsonNode value(String key) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  private static String describe(JsonNode v) {
    String json = v.toString();
    String shown = json.length() > 40 ? json.substring(0, 39) + "…" : json;
    String kind =
        v.isTextual() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean"
            : v.isArray() ? "an array" : v.isObject() ? "an object" : "a value";
    return kind + " (" + shown + ")";
  }
}
