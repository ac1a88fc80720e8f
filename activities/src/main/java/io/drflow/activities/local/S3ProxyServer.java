package io.drflow.activities.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An S3Proxy server (filesystem backend) running as a child process: the embedded dev stack's and
 * the tests' object store. It runs in its own JVM because S3Proxy on our classpath would drag in
 * Jackson 3 and jclouds and move our own dependency versions.
 */
public final class S3ProxyServer implements AutoCloseable {

  public static final String JAR_PROPERTY = "drflow.s3proxy.jar";
  public static final String JAR_ENV = "DRFLOW_S3PROXY_JAR";
  public static final String VERSION = "4.1.0";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final int port;
  private final String identity;
  private final String credential;
  private final Path dataDir;
  private final Path propertiesFile;
  private final Path logFile;

  private S3ProxyServer(
      Process process,
      int port,
      String identity,
      String credential,
      Path dataDir,
      Path propertiesFile,
      Path logFile) {
    this.process = process;
    this.port = port;
    this.identity = identity;
    this.credential = credential;
    this.dataDir = dataDir;
    this.propertiesFile = propertiesFile;
    this.logFile = logFile;
  }

  /** Starts S3Proxy from {@link #locateJar()}; {@code port} 0 picks a free one. */
  public static S3ProxyServer start(Path dataDir, int port, String identity, String credential)
      throws IOException {
    return start(locateJar(), dataDir, port, identity, credential);
  }

  /**
   * Starts {@code java -jar jar} serving buckets as directories of {@code dataDir} on 127.0.0.1 and
   * returns once the port accepts connections.
   *
   * @param port 0 picks a free port
   */
  public static S3ProxyServer start(
      Path jar, Path dataDir, int port, String identity, String credential) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("S3Proxy jar not found at " + jar + "; " + howToGetJar());
    }
    Files.createDirectories(dataDir);
    int chosen = port == 0 ? freePort() : port;
    // Neither file may live inside dataDir: S3Proxy would list them as buckets.
    Path properties = Files.createTempFile("drflow-s3proxy-", ".properties");
    Path log = Files.createTempFile("drflow-s3proxy-", ".log");
    writeProperties(properties, dataDir, chosen, identity, credential);

    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.add("--properties");
    command.add(properties.toString());
    // Output goes to a file rather than a pipe so a chatty S3Proxy can never block on a full
    // pipe nobody reads.
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
            .start();
    S3ProxyServer server =
        new S3ProxyServer(process, chosen, identity, credential, dataDir, properties, log);
    try {
      server.awaitListening();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Where the S3Proxy jar is: system property {@value #JAR_PROPERTY}, environment variable {@value
   * #JAR_ENV}, {@code lib/s3proxy.jar} or {@code s3proxy/s3proxy.jar} beside the running jar, or
   * the local Maven repository.
   */
  public static Path locateJar() {
    List<Path> tried = new ArrayList<>();
    String prop = System.getProperty(JAR_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      Path p = Path.of(prop);
      if (Files.isRegularFile(p)) {
        return p;
      }
      tried.add(p);
    }
    String env = System.getenv(JAR_ENV);
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isRegularFile(p)) {
        return p;
      }
      tried.add(p);
    }
    Path runningJarDir = runningJarDirectory();
    if (runningJarDir != null) {
      for (Path p :
          List.of(
              runningJarDir.resolve("lib/s3proxy.jar"),
              runningJarDir.resolve("s3proxy/s3proxy.jar"))) {
        if (Files.isRegularFile(p)) {
          return p;
        }
        tried.add(p);
      }
    }
    Path m2 = mavenRepositoryJar();
    if (Files.isRegularFile(m2)) {
      return m2;
    }
    tried.add(m2);
    throw new IllegalStateException(
        "S3Proxy jar not found (looked at " + tried + "); " + howToGetJar());
  }

  private static String howToGetJar() {
    return "fetch it with `mvn dependency:get -Dartifact=org.gaul:s3proxy:"
        + VERSION
        + ":jar:jar-with-dependencies` (lands in ~/.m2/repository), or point -D"
        + JAR_PROPERTY
        + " / $"
        + JAR_ENV
        + " at s3proxy-"
        + VERSION
        + "-jar-with-dependencies.jar";
  }

  private static Path mavenRepositoryJar() {
    return Path.of(
        System.getProperty("user.home"),
        ".m2/repository/org/gaul/s3proxy",
        VERSION,
        "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
  }

  private static Path runningJarDirectory() {
    try {
      var source = S3ProxyServer.class.getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        return null;
      }
      Path location = Path.of(source.getLocation().toURI());
      // From classes/ (IDE, Maven) there is no "next to the jar": only a real jar counts.
      return Files.isRegularFile(location) ? location.getParent() : null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The JVM running us, so S3Proxy works wherever drflow does without a java on PATH. */
  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void writeProperties(
      Path file, Path dataDir, int port, String identity, String credential) throws IOException {
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", identity);
    p.setProperty("s3proxy.credential", credential);
    // The AWS SDK's newer headers (x-amz-mp-object-size, checksum headers) otherwise get 501.
    p.setProperty("s3proxy.ignore-unknown-headers", "true");
    p.setProperty("jclouds.provider", "filesystem-nio2");
    p.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "drflow embedded S3Proxy");
    }
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "S3Proxy exited with status "
                + process.exitValue()
                + " before listening on port "
                + port
                + "; its output ends with:\n"
                + outputTail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "S3Proxy did not listen on port "
                + port
                + " within "
                + START_TIMEOUT.toSeconds()
                + " s; its output ends with:\n"
                + outputTail());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for S3Proxy to start", e);
      }
    }
  }

  /** The last lines S3Proxy printed, for error messages. */
  public String outputTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(output unavailable: " + e.getMessage() + ")";
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public String identity() {
    return identity;
  }

  public String credential() {
    return credential;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    // Descendants first: should S3Proxy ever fork, killing only the parent would orphan them.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(propertiesFile);
      if (!process.isAlive()) {
        Files.deleteIfExists(logFile);
      }
    } catch (IOException ignored) {
      // temp files; nothing depends on their removal
    }
  }
}
