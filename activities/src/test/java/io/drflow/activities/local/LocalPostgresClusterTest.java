package io.drflow.activities.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.postgres.PgException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalPostgresClusterTest {

  @Test
  void startsAnswersAndDisappearsOnClose() throws Exception {
    Path dir;
    int port;
    try (LocalPostgresCluster pg = LocalPostgresCluster.builder()
        .setting("search_path", "\"it's\", public").start()) {
      dir = pg.dataDir();
      port = pg.port();
      assertThat(pg.psql("postgres", "select 1 + 1; select current_setting('fsync')"))
          .isEqualTo("2\noff");
      assertThat(pg.psql("postgres", "show search_path")).isEqualTo("\"it's\", public");
      assertThat(pg.connections().isReachable(pg.postgresConfig("postgres"))).isTrue();
      assertThat(pg.serverConfig().server()).isEqualTo("127.0.0.1:" + port);
      assertThat(pg.passwordEnv()).isNull();
      assertThatThrownBy(() -> pg.psql("postgres", "select 1; select * from nowhere; select 2"))
          .isInstanceOf(PgException.class)
          .hasMessageContaining("relation \"nowhere\" does not exist");
    }
    assertThat(Files.exists(dir)).isFalse();
    assertThat(listening(port)).isFalse();
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
