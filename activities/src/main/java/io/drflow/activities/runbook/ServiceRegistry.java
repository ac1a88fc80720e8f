package io.drflow.activities.runbook;

import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RegionConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.workflows.runbook.Failures;
import io.temporal.failure.ApplicationFailure;

/** Looks services up in the worker's config, failing non-retryably for names it does not know. */
public final class ServiceRegistry {

  /** The server a restore targets, as named in workflow payloads. */
  public static final String DRILL = "drill";

  public static final String SOURCE = "source";

  private final DrflowConfig config;

  public ServiceRegistry(DrflowConfig config) {
    this.config = config;
  }

  public DrflowConfig config() {
    return config;
  }

  public ServiceConfig service(String name) {
    ServiceConfig svc = name == null ? null : config.services().get(name);
    if (svc == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "unknown service '" + name + "'; configured: "
              + (config.services().isEmpty() ? "(none)" : String.join(", ", config.services().keySet())),
          Failures.UNKNOWN_SERVICE);
    }
    return svc;
  }

  /**
   * The server drills restore to: the configured target, or the production server itself where
   * the config explicitly allows it.
   */
  public ServerConfig drillServer(String name) {
    ServiceConfig svc = service(name);
    if (svc.drill() != null && svc.drill().target() != null) {
      return svc.drill().target();
    }
    if (svc.drill() != null && svc.drill().allowSourceServer()) {
      return sourceServer(svc.postgres());
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "services." + name + ".drill.target is not configured: drills need a server to restore"
            + " into (or drill.allowSourceServer: true to use the production server)",
        Failures.INVALID_CONFIG);
  }

  /** Prefix of a region's server in workflow payloads: {@code region:dr}. */
  public static final String REGION_PREFIX = "region:";

  public ServerConfig server(String service, String which) {
    if (which != null && which.startsWith(REGION_PREFIX)) {
      return region(service, which.substring(REGION_PREFIX.length())).postgres().asServer();
    }
    return switch (which) {
      case DRILL -> drillServer(service);
      case SOURCE -> sourceServer(service(service).postgres());
      default ->
          throw ApplicationFailure.newNonRetryableFailure(
              "unknown server '" + which + "' (drill or source)", Failures.INVALID_INPUT);
    };
  }

  /** A configured region of the service; non-retryable {@code InvalidInput} naming the known ones. */
  public RegionConfig region(String service, String region) {
    ServiceConfig svc = service(service);
    RegionConfig r = region == null ? null : svc.regions().get(region);
    if (r == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          svc.regions().isEmpty()
              ? "service '" + service + "' has no regions configured (services." + service + ".regions)"
              : "unknown region '" + region + "' of service '" + service + "'; configured: "
                  + String.join(", ", svc.regions().keySet()),
          Failures.INVALID_INPUT);
    }
    return r;
  }

  static ServerConfig sourceServer(PostgresConfig pg) {
    return new ServerConfig(pg.host(), pg.port(), pg.user(), pg.passwordEnv(), null);
  }
}
