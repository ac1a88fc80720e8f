package io.drflow.activities.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ProxyServerTest {

  @TempDir Path tmp;

  @Test
  void findsTheJarTheBuildProvides() {
    Path jar = S3ProxyServer.locateJar();
    assertThat(jar).isRegularFile();
    assertThat(jar.toString()).isEqualTo(System.getProperty(S3ProxyServer.JAR_PROPERTY));
  }

  @Test
  void startsListensAndStops() throws Exception {
    S3ProxyServer server = S3ProxyServer.start(tmp.resolve("data"), 0, "id", "secret");
    int port = server.port();
    try (server) {
      assertThat(server.endpoint()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(server.isAlive()).isTrue();
      assertThat(answers(port)).isTrue();
    }
    assertThat(server.isAlive()).isFalse();
    assertThat(answers(port)).isFalse();
  }

  @Test
  void aProcessThatDiesEarlyIsReportedWithItsOutput() throws IOException {
    Path notAJar = Files.writeString(tmp.resolve("broken.jar"), "not a jar");
    assertThatThrownBy(() -> S3ProxyServer.start(notAJar, tmp.resolve("data"), 0, "id", "secret"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited with status")
        .hasMessageContaining("broken.jar");
  }

  @Test
  void aMissingJarSaysHowToGetOne() {
    assertThatThrownBy(
            () -> S3ProxyServer.start(tmp.resolve("none.jar"), tmp.resolve("data"), 0, "id", "s"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("mvn dependency:get");
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
