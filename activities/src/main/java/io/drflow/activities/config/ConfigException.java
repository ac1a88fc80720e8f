package io.drflow.activities.config;

import java.util.List;

/** A configuration that cannot work, with every problem found and where it is. */
public class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(source + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
