package io.drflow.activities.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads {@code drflow.yaml}. Unknown keys are errors (a typo in a DR config should not silently
 * fall back to a default), and every problem names its key path.
 */
public final class ConfigLoader {

  private static final ObjectMapper YAML = mapper();

  private ConfigLoader() {}

  public static DrflowConfig load(Path file) {
    if (file == null || !Files.exists(file)) {
      throw new ConfigException(
          String.valueOf(file), List.of("config file does not exist"));
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
    }
  }

  /** Loads {@code file} when given, else the empty config that points at the embedded stack. */
  public static DrflowConfig loadOrDefault(Path file) {
    return file == null ? DrflowConfig.empty() : load(file);
  }

  public static DrflowConfig parse(String yaml, String source) {
    DrflowConfig config;
    try {
      config = yaml.isBlank() ? DrflowConfig.empty() : YAML.readValue(yaml, DrflowConfig.class);
      if (config == null) {
        config = DrflowConfig.empty();
      }
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          source,
          List.of(
              path(e)
                  + ": unknown key '"
                  + e.getPropertyName()
                  + "' (known: "
                  + e.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")"));
    } catch (JsonMappingException e) {
      throw new ConfigException(source, List.of(path(e) + ": " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
    }
    List<String> problems = ConfigValidator.problems(config);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return config;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "(top level)" : sb.toString();
  }

  private static ObjectMapper mapper() {
    SimpleModule durations = new SimpleModule();
    durations.addDeserializer(Duration.class, new IsoDurationDeserializer());
    return new ObjectMapper(new YAMLFactory())
        .registerModule(durations)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /** Durations are ISO-8601 (PT1H, P1D); anything else is refused with an example. */
  static final class IsoDurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException | NullPointerException e) {
        throw JsonMappingException.from(
            p, "'" + text + "' is not an ISO-8601 duration (for example PT1H, PT30M, P1D)");
      }
    }
  }
}
