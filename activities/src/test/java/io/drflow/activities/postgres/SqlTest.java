package io.drflow.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlTest {

  @Test
  void quoteIdentDoublesQuotesAndWrapsEverything() {
    assertThat(Sql.quoteIdent("plain")).isEqualTo("\"plain\"");
    assertThat(Sql.quoteIdent("Mixed Case")).isEqualTo("\"Mixed Case\"");
    assertThat(Sql.quoteIdent("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(Sql.quoteIdent("\"")).isEqualTo("\"\"\"\"");
    assertThat(Sql.quoteIdent("x\"; drop database y; --"))
        .isEqualTo("\"x\"\"; drop database y; --\"");
    assertThat(Sql.quoteIdent("ünïcödé")).isEqualTo("\"ünïcödé\"");
    assertThat(Sql.quoteIdent("back\\slash")).isEqualTo("\"back\\slash\"");
    assertThat(Sql.qualified("my schema", "t\"1")).isEqualTo("\"my schema\".\"t\"\"1\"");
  }

  @Test
  void quoteIdentRefusesWhatPostgresWouldChange() {
    assertThatThrownBy(() -> Sql.quoteIdent("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sql.quoteIdent(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sql.quoteIdent("a\0b")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Sql.quoteIdent("a".repeat(63))).hasSize(65);
    assertThatThrownBy(() -> Sql.quoteIdent("a".repeat(64)))
        .hasMessageContaining("63 bytes");
    // counted in bytes, as the server does: 32 two-byte characters are 64 bytes
    assertThatThrownBy(() -> Sql.quoteIdent("ü".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void quoteLiteralIsSafeWhateverStandardConformingStringsSays() {
    assertThat(Sql.quoteLiteral("abc")).isEqualTo("'abc'");
    assertThat(Sql.quoteLiteral("it's")).isEqualTo("'it''s'");
    assertThat(Sql.quoteLiteral("a\\'b")).isEqualTo("E'a\\\\''b'");
    assertThat(Sql.quoteLiteral("00000003-0000001B-1")).isEqualTo("'00000003-0000001B-1'");
    assertThatThrownBy(() -> Sql.quoteLiteral("a\0")).isInstanceOf(IllegalArgumentException.class);
  }
}
