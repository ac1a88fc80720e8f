package io.drflow.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The task queue only this host serves. Named after the host (not a random id) so a worker
 * restarted on the same machine picks up the work its predecessor left, files and all.
 */
final class HostQueue {

  private HostQueue() {}

  static String name(String sharedQueue, String hostId) {
    String id = hostId != null && !hostId.isBlank() ? hostId : hostname();
    return sharedQueue + "@" + id;
  }

  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
