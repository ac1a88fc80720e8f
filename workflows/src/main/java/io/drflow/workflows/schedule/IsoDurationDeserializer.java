package io.drflow.workflows.schedule;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 durations (PT5M, PT1H, P1D) for schedule settings, refusing anything else with an
 * example. Attached to the fields themselves so drctl's and the worker's YAML readers agree.
 */
public final class IsoDurationDeserializer extends JsonDeserializer<Duration> {

  @Override
  public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    String text = p.getValueAsString();
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException | NullPointerException e) {
      throw JsonMappingException.from(
          p, "'" + text + "' is not an ISO-8601 duration (for example PT5M, PT1H, P1D)");
    }
  }
}
