package io.fastlimit.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyTextTest {

  @ParameterizedTest
  @ValueSource(strings = {"alice", "user-42", "a.b_c", "alice@example.com", "x+y", "A1", "0"})
  void shortPlainIdIsKeptAsItIs(String id) {
    assertThat(KeyText.bounded(id)).isSameAs(id);
  }

  @Test
  void idOfExactlyTheMaximumPlainLengthIsKept() {
    String id = "u".repeat(KeyText.MAX_PLAIN_LENGTH);

    assertThat(KeyText.bounded(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "has space",
        "a:b",
        "line\nbreak",
        "tab\t",
        "zero\u0000byte",
        "ünïcödé",
        "~alice",
        "a/b",
        "quote\"",
        "{json}"
      })
  void oddIdIsHashedToAFixedLength(String id) {
    String key = KeyText.bounded(id);

    assertThat(key).startsWith("~").hasSize(23).matches("~[A-Za-z0-9_-]{22}");
  }

  @Test
  void longIdIsHashedToAFixedLength() {
    String key = KeyText.bounded("u".repeat(KeyText.MAX_PLAIN_LENGTH + 1));

    assertThat(key).hasSize(23).startsWith("~");
    assertThat(KeyText.bounded("u".repeat(1_000_000))).hasSize(23);
  }

  @Test
  void differentLongIdsHashDifferently() {
    String base = "u".repeat(200);

    assertThat(KeyText.bounded(base + "1")).isNotEqualTo(KeyText.bounded(base + "2"));
    assertThat(KeyText.bounded("a b")).isNotEqualTo(KeyText.bounded("a  b"));
  }

  @Test
  void sameIdAlwaysGetsTheSameKey() {
    String id = "user with spaces and a long tail " + "x".repeat(100);

    assertThat(KeyText.bounded(id)).isEqualTo(KeyText.bounded(new String(id)));
  }

  @Test
  void hashedKeyCannotCollideWithAPlainId() {
    // a plain id can never start with '~', so no client can pick another's hashed key
    String hashed = KeyText.bounded("has space");

    assertThat(KeyText.bounded(hashed)).isNotEqualTo(hashed);
  }

  @Test
  void forLogEscapesControlAndNonAsciiCharacters() {
    assertThat(KeyText.forLog("a\nb\rc\u001bd\u0000"))
        .isEqualTo("a\\u000ab\\u000dc\\u001bd\\u0000");
    assertThat(KeyText.forLog("é")).isEqualTo("\\u00e9");
    assertThat(KeyText.forLog("back\\slash")).isEqualTo("back\\u005cslash");
    assertThat(KeyText.forLog("plain text 123")).isEqualTo("plain text 123");
  }

  @Test
  void forLogCutsLongText() {
    String log = KeyText.forLog("x".repeat(10_000));

    assertThat(log).hasSize(203).endsWith("...");
    assertThat(KeyText.forLog("\n".repeat(10_000))).hasSizeLessThan(220).endsWith("...");
  }

  @Test
  void forLogKeepsShortTextWhole() {
    assertThat(KeyText.forLog("x".repeat(150))).isEqualTo("x".repeat(150));
  }

  @Test
  void forLogOfNullSaysNull() {
    assertThat(KeyText.forLog(null)).isEqualTo("null");
  }

  @Test
  void forLogMarksOnlyTextThatWasReallyCut() {
    String exactly200 = "a".repeat(200);
    org.assertj.core.api.Assertions.assertThat(KeyText.forLog(exactly200)).isEqualTo(exactly200);
    org.assertj.core.api.Assertions.assertThat(KeyText.forLog(exactly200 + "b"))
        .isEqualTo(exactly200 + "...");
  }
}
