package io.drflow.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drflow.workflows.codec.PayloadEncryption;
import io.drflow.workflows.codec.PayloadKeyException;
import io.drflow.workflows.codec.PayloadKeys;
import io.drflow.workflows.schedule.ServiceSchedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The parts of {@code drflow.yaml} drctl needs: where Temporal is (and the payload key, when
 * payloads are encrypted), and per service its RTO (for run
 * summaries) and schedules (for {@code drctl schedule sync}). Everything else is the worker's
 * business: drctl never reads storage or database settings, let alone credentials.
 *
 * @param file the config file, or null for the embedded stack's defaults
 * @param root the parsed YAML (null without a file); services are read from it only on demand,
 *     so a schedule typo never stops {@code drctl drill} during an incident
 */
record CliConfig(String target, String namespace, String taskQueue, Path file, JsonNode root) {

  static final String DEFAULT_TARGET = "127.0.0.1:7233";
  static final String DEFAULT_TASK_QUEUE = "drflow";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** One service as drctl sees it. */
  record Service(Optional<Duration> rto, ServiceSchedules schedules) {}

  CliConfig(String target, String namespace, String taskQueue) {
    this(target, namespace, taskQueue, null, null);
  }

  static CliConfig load(Path file) {
    if (file == null) {
      return new CliConfig(DEFAULT_TARGET, "default", DEFAULT_TASK_QUEUE);
    }
    if (!Files.isRegularFile(file)) {
      throw new UserError("config file " + file + " does not exist");
    }
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UserError("config file " + file + " is not valid YAML: " + e.getMessage());
    }
    JsonNode t = root == null ? null : root.get("temporal");
    return new CliConfig(
        text(t, "target", DEFAULT_TARGET),
        text(t, "namespace", "default"),
        text(t, "taskQueue", DEFAULT_TASK_QUEUE),
        file,
        root);
  }

  /**
   * The keys in {@code temporal.payloadEncryption}, or null when payloads are not encrypted. drctl
   * reads the same setting as the worker: it must encrypt what it starts and decrypt what it reads.
   */
  PayloadKeys payloadKeys(Function<String, String> env) {
    JsonNode t = root == null ? null : root.get("temporal");
    JsonNode node = t == null ? null : t.get("payloadEncryption");
    if (node == null || node.isNull()) {
      return null;
    }
    PayloadEncryption pe;
    try {
      pe = YAML.treeToValue(node, PayloadEncryption.class);
    } catch (UnrecognizedPropertyException ex) {
      throw new UserError(
          file + ": temporal.payloadEncryption" + path(ex) + ": unknown key '" + ex.getPropertyName() + "' (known: "
              + ex.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
              + ")");
    } catch (IOException ex) {
      throw new UserError(file + ": temporal.payloadEncryption: " + ex.getMessage());
    }
    try {
      return PayloadKeys.load(pe, env);
    } catch (PayloadKeyException ex) {
      throw new UserError(file + ": " + ex.getMessage());
    }
  }

  PayloadKeys payloadKeys() {
    return payloadKeys(System::getenv);
  }

  /** The service's RTO when the config states it readably; summaries simply omit it otherwise. */
  Optional<Duration> rto(String service) {
    JsonNode svc = servicesNode().get(service);
    JsonNode rto = svc == null ? null : svc.get("rto");
    if (rto == null || !rto.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.parse(rto.asText()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Every service with its schedules, checked strictly (unknown keys, cron, time zone, ...): the
   * schedules drctl creates must be exactly the ones the file means.
   */
  Map<String, Service> services() {
    Map<String, Service> out = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = servicesNode().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "services." + e.getKey();
      JsonNode node = e.getValue().get("schedules");
      ServiceSchedules schedules = new ServiceSchedules(null, null);
      if (node != null && !node.isNull()) {
        try {
          schedules = YAML.treeToValue(node, ServiceSchedules.class);
        } catch (UnrecognizedPropertyException ex) {
          problems.add(
              at + ".schedules" + path(ex) + ": unknown key '" + ex.getPropertyName() + "' (known: "
                  + ex.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                      .collect(Collectors.joining(", "))
                  + ")");
          continue;
        } catch (JsonMappingException ex) {
          problems.add(at + ".schedules" + path(ex) + ": " + ex.getOriginalMessage());
          continue;
        } catch (IOException ex) {
          problems.add(at + ".schedules: " + ex.getMessage());
          continue;
        }
        if (schedules == null) {
          schedules = new ServiceSchedules(null, null);
        }
        problems.addAll(schedules.problems(at + ".schedules"));
      }
      out.put(e.getKey(), new Service(rto(e.getKey()), schedules));
    }
    if (!problems.isEmpty()) {
      throw new UserError(file + ": " + String.join("; ", problems));
    }
    return out;
  }

  private JsonNode servicesNode() {
    JsonNode s = root == null ? null : root.get("services");
    return s == null || !s.isObject() ? YAML.createObjectNode() : s;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      }
    }
    return sb.toString();
  }

  private static String text(JsonNode node, String field, String fallback) {
    if (node == null || node.get(field) == null || node.get(field).isNull()) {
      return fallback;
    }
    return node.get(field).asText();
  }
}
