package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.postgres.PgException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {

  @Test
  void findsRealBinariesNotDebiansWrapper() {
    var found = PgTools.installations(null);
    assertThat(found).isNotEmpty();
    assertThat(found).allSatisfy(i -> {
      assertThat(i.major()).isGreaterThanOrEqualTo(10);
      assertThat(i.dir().resolve("pg_dump").toRealPath().getFileName().toString())
          .isEqualTo("pg_dump");
    });
  }

  @Test
  void picksAPgDumpAtLeastAsNewAsTheServer() {
    int newest = PgTools.newest(null).major();
    PgTools t = PgTools.forServer(null, newest * 10000 + 3);
    assertThat(t.major()).isGreaterThanOrEqualTo(newest);
    assertThat(t.version()).startsWith(Integer.toString(t.major()));
    assertThat(t.binary("pg_restore")).isExecutable();
    // 9.6 numbered its majors in two parts; any 10+ pg_dump reads it
    assertThat(PgTools.forServer(null, 90624).major()).isGreaterThanOrEqualTo(10);
    assertThat(PgTools.rank(906)).isLessThan(PgTools.rank(10));
  }

  @Test
  void aServerNewerThanEveryPgDumpIsAClearError() {
    assertThatThrownBy(() -> PgTools.forServer(null, 990001))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TOOL_UNAVAILABLE))
        .hasMessageContaining("major version >= 99")
        .hasMessageContaining("found pg_dump " + PgTools.newest(null).version());
  }

  @Test
  void aConfiguredPgBinIsTheOnlyPlaceLooked(@TempDir Path empty) throws Exception {
    assertThatThrownBy(() -> PgTools.forServer(empty.toString(), 150000))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TOOL_UNAVAILABLE))
        .hasMessageContaining("worker.pgBin " + empty)
        .hasMessageContaining("found no pg_dump");
    Path real = PgTools.newest(null).dir();
    PgTools t = PgTools.forServer(real.toString(), 100000);
    assertThat(t.dir()).isEqualTo(real);
    assertThatThrownBy(() -> t.binary("no_such_tool"))
        .isInstanceOfSatisfying(PgException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TOOL_UNAVAILABLE));
    assertThat(Files.isDirectory(empty)).isTrue();
  }

  @Test
  void versionsAreParsed() {
    assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"))
        .contains("15.18");
    assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 17beta1")).contains("17");
    assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 9.6.24")).contains("9.6");
    assertThat(PgTools.parseVersion("something else")).isEmpty();
    assertThat(PgTools.majorOfVersionString("15.18")).isEqualTo(15);
    assertThat(PgTools.majorOfVersionString("9.6")).isEqualTo(906);
    assertThat(PgTools.majorOf(150018)).isEqualTo(15);
    assertThat(PgTools.majorOf(90624)).isEqualTo(906);
  }
}
