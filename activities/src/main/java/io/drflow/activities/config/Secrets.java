package io.drflow.activities.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves the environment variables the config names. Activities call this at run time so that
 * secret values live only in the worker's memory, never in workflow payloads.
 */
public final class Secrets {

  private final Function<String, String> lookup;

  private Secrets(Function<String, String> lookup) {
    this.lookup = lookup;
  }

  public static Secrets fromEnvironment() {
    return new Secrets(System::getenv);
  }

  /** The environment, with {@code overrides} taking precedence (the embedded stack's own keys). */
  public static Secrets withOverrides(Map<String, String> overrides) {
    Map<String, String> copy = Map.copyOf(overrides);
    return new Secrets(name -> copy.containsKey(name) ? copy.get(name) : System.getenv(name));
  }

  /** The variable's value, or empty when {@code envName} is null (nothing configured). */
  public Optional<String> optional(String envName) {
    if (envName == null) {
      return Optional.empty();
    }
    String v = lookup.apply(envName);
    if (v == null) {
      throw new MissingSecretException(envName);
    }
    return Optional.of(v);
  }

  /** Raised when the config names an environment variable the worker does not have. */
  public static final class MissingSecretException extends RuntimeException {
    private final String envName;

    public MissingSecretException(String envName) {
      super("environment variable " + envName + " is not set in the worker's environment");
      this.envName = envName;
    }

    public String envName() {
      return envName;
    }
  }
}
