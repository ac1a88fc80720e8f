package io.drflow.activities.dns;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * moto's AWS emulator ({@code pip install "moto[server]"}) as a process on a free port, for
 * Route53 tests. scripts/install-deps.sh installs it.
 */
public final class MotoServer implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  public static MotoServer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("moto", ".log");
    Process p =
        new ProcessBuilder(executable(), "-H", "127.0.0.1", "-p", String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(p, port, log);
    server.awaitListening();
    return server;
  }

  private static String executable() {
    String configured = System.getenv("MOTO_SERVER");
    return configured != null && !configured.isBlank() ? configured : "moto_server";
  }

  private void awaitListening() throws IOException, InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (!process.isAlive()) {
        throw new IOException("moto_server exited: " + Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/moto-api/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.getResponseCode();
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IOException("moto_server did not listen on " + port + ": " + Files.readString(log));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
