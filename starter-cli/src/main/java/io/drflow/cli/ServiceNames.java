package io.drflow.cli;

import java.util.regex.Pattern;

/** The CLI refuses malformed service names before contacting anything. */
final class ServiceNames {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  private ServiceNames() {}

  static void check(String service) {
    if (service == null || !NAME.matcher(service).matches()) {
      throw new UserError(
          "'" + service + "' is not a service name: 1-40 characters of a-z, 0-9, '-' and '_'");
    }
  }
}
