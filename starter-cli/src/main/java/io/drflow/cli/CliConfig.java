package io.drflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The part of {@code drflow.yaml} drctl needs: where Temporal is. Everything else is the worker's
 * business (drctl never sees storage or database credentials).
 */
record CliConfig(String target, String namespace, String taskQueue) {

  static final String DEFAULT_TARGET = "127.0.0.1:7233";
  static final String DEFAULT_TASK_QUEUE = "drflow";

  static CliConfig load(Path file) {
    if (file == null) {
      return new CliConfig(DEFAULT_TARGET, "default", DEFAULT_TASK_QUEUE);
    }
    if (!Files.isRegularFile(file)) {
      throw new UserError("config file " + file + " does not exist");
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new UserError("config file " + file + " is not valid YAML: " + e.getMessage());
    }
    JsonNode t = root == null ? null : root.get("temporal");
    return new CliConfig(
        text(t, "target", DEFAULT_TARGET),
        text(t, "namespace", "default"),
        text(t, "taskQueue", DEFAULT_TASK_QUEUE));
  }

  private static String text(JsonNode node, String field, String fallback) {
    if (node == null || node.get(field) == null || node.get(field).isNull()) {
      return fallback;
    }
    return node.get(field).asText();
  }
}
