package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which COPY statements name the table of their own TOC entry, as pg_restore decides it. */
class DirectoryArchiveCopyTest {

  @Test
  void readsPlainAndQuotedIdentifiers() {
    assertThat(DirectoryArchive.copyTarget("COPY public.bench_events (id, note) FROM stdin;\n"))
        .isEqualTo(List.of("public", "bench_events"));
    assertThat(DirectoryArchive.copyTarget("COPY \"Mixed Case\".\"Mixed Case\" (\"Id\") FROM stdin;\n"))
        .isEqualTo(List.of("Mixed Case", "Mixed Case"));
    assertThat(DirectoryArchive.copyTarget("COPY app.\"x; drop table y\" (id, \"a\"\"quote\") FROM stdin;\n"))
        .isEqualTo(List.of("app", "x; drop table y"));
    assertThat(DirectoryArchive.copyTarget("COPY app.\"a\"\"b.c\" (k) FROM stdin;\n"))
        .isEqualTo(List.of("app", "a\"b.c"));
    // A table without columns: pg_dump writes two spaces.
    assertThat(DirectoryArchive.copyTarget("COPY app.empty  FROM stdin;\n")).isEqualTo(List.of("app", "empty"));
    assertThat(DirectoryArchive.copyTarget("COPY app.\"ünïcödé\" (k, v) FROM stdin;\n"))
        .isEqualTo(List.of("app", "ünïcödé"));
  }

  @Test
  void anythingElseIsNotReadAsATarget() {
    assertThat(DirectoryArchive.copyTarget("")).isNull();
    assertThat(DirectoryArchive.copyTarget("SELECT 1")).isNull();
    assertThat(DirectoryArchive.copyTarget("COPY onlyname (a) FROM stdin;\n")).isNull();
    assertThat(DirectoryArchive.copyTarget("COPY app.\"unterminated (a) FROM stdin;\n")).isNull();
    assertThat(DirectoryArchive.copyTarget("COPY app.t")).isNull();
    assertThat(DirectoryArchive.copyTarget("COPY .t (a) FROM stdin;\n")).isNull();
  }
}
