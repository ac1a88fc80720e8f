package io.drflow.cli;

import io.drflow.workflows.runbook.Failures;

/** The CLI refuses malformed service names before contacting anything. */
final class ServiceNames {

  private ServiceNames() {}

  static void check(String service) {
    if (service == null || !Failures.SERVICE_NAME.matcher(service).matches()) {
      throw new UserError(
          "'" + (service == null ? null : Failures.abbreviate(service))
              + "' is not a service name: 1-40 characters of a-z, 0-9, '-' and '_'");
    }
  }
}
