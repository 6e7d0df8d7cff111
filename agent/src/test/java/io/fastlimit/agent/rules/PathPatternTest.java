package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

  private static boolean matches(String pattern, String path) {
    return PathPattern.compile(pattern).matches(PathPattern.normalize(path));
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
    // exact
    "/login, /login, true",
    "/login, /login/, true",
    "/login, //login, true",
    "/login, /login/x, false",
    "/login, /logi, false",
    "/login, /loginx, false",
    "/login, /, false",
    "/, /, true",
    "/, /a, false",
    "/a/b, /a//b/, true",
    // * within one segment
    "/api/*, /api/users, true",
    "/api/*, /api/users/1, false",
    "/api/*, /api, false",
    "/api/*, /api/, false",
    "/api/*/edit, /api/7/edit, true",
    "/api/*/edit, /api/7/8/edit, false",
    "/files/*.pdf, /files/report.pdf, true",
    "/files/*.pdf, /files/.pdf, true",
    "/files/*.pdf, /files/report.txt, false",
    "/files/a*b*c, /files/axxbyyc, true",
    "/files/a*b*c, /files/axxbyy, false",
    // ? one character
    "/v?/items, /v1/items, true",
    "/v?/items, /v12/items, false",
    "/v?/items, /v/items, false",
    "/v?/items, /v//items, false",
    // ** any number of whole segments
    "/api/**, /api, true",
    "/api/**, /api/, true",
    "/api/**, /api/a, true",
    "/api/**, /api/a/b, true",
    "/api/**, /apiary, false",
    "/api/**, /apix/a, false",
    "/api/**, /, false",
    "/**, /, true",
    "/**, /anything/at/all, true",
    "/a/**/z, /a/z, true",
    "/a/**/z, /a/b/z, true",
    "/a/**/z, /a/b/c/d/z, true",
    "/a/**/z, /a/b/c, false",
    "/a/**/z, /a/z/y, false",
    "/a/**/z, /a/zz, false",
    "/a/**/*.json, /a/x/y/data.json, true",
    "/a/**/*.json, /a/data.json, true",
    "/a/**/*.json, /a/x/data.xml, false",
    "/**/admin, /admin, true",
    "/**/admin, /x/y/admin, true",
    "/**/admin, /x/admin/y, false"
  })
  void patternMatchesOnlyWhatItSays(String pattern, String path, boolean expected) {
    assertThat(matches(pattern, path)).isEqualTo(expected);
  }

  @Test
  void exactPatternExposesItsCanonicalPath() {
    assertThat(PathPattern.compile("/login").exactPath()).isEqualTo("/login");
    assertThat(PathPattern.compile("//a//b/").exactPath()).isEqualTo("/a/b");
    assertThat(PathPattern.compile("/api/*").exactPath()).isNull();
    assertThat(PathPattern.compile("/v?").exactPath()).isNull();
    assertThat(PathPattern.compile("/api/**").exactPath()).isNull();
  }

  @Test
  void patternKeepsItsTextForMessages() {
    assertThat(PathPattern.compile("/api/**")).hasToString("/api/**");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/**x", "/api/x**", "/a/***", "/**.json"})
  void doubleStarThatIsNotAWholeSegmentIsAnError(String pattern) {
    assertThatThrownBy(() -> PathPattern.compile(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(pattern)
        .hasMessageContaining("'**' must be a whole segment");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "login", "api/**", "*", " /login"})
  void patternMustStartWithSlash(String pattern) {
    assertThatThrownBy(() -> PathPattern.compile(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a path starts with '/'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/log in", "/login\t", "/a\nb", "/a\u0000b"})
  void whiteSpaceAndControlCharactersAreErrors(String pattern) {
    assertThatThrownBy(() -> PathPattern.compile(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("white space or control characters");
  }

  @ParameterizedTest
  @CsvSource({
    "//login, /login",
    "/login/, /login",
    "/a//b///c/, /a/b/c",
    "///, /",
    "'', /",
    "login, /login",
    "/, /"
  })
  void normalizeCollapsesSlashesAndDropsTrailingSlash(String path, String canonical) {
    assertThat(PathPattern.normalize(path)).isEqualTo(canonical);
  }

  @Test
  void normalizeReturnsTheSameInstanceWhenAlreadyCanonical() {
    String path = new String("/api/users/42");

    assertThat(PathPattern.normalize(path)).isSameAs(path);
    String root = new String("/");
    assertThat(PathPattern.normalize(root)).isSameAs(root);
  }

  @Test
  void normalizeReturnsANewStringWhenItChangesSomething() {
    String path = "/api//users/";

    assertThat(PathPattern.normalize(path)).isNotSameAs(path).isEqualTo("/api/users");
  }

  @Test
  void manyDoubleStarsAgainstALongPathAnswerWithoutBacktrackingBlowUp() {
    // trying every split of the path among four ** takes hours on a path a client can send
    PathPattern pattern = PathPattern.compile("/**/a/**/a/**/a/**/b");
    String path = "/a".repeat(4_000) + "/x";

    boolean matched =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pattern.matches(path));

    assertThat(matched).isFalse();
    assertThat(pattern.matches("/a".repeat(4_000) + "/b")).isTrue();
  }

  @Test
  void matchingAgreesWithARegularExpressionOverRandomPatternsAndPaths() {
    Random random = new Random(11);
    String[] patternParts = {"a", "b", "ab", "*", "a*", "*b", "?", "a?", "**"};
    String[] pathParts = {"a", "b", "ab", "ba", "abb", "c"};
    int matched = 0;
    for (int p = 0; p < 2_000; p++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(6);
      for (int i = 0; i < length; i++) {
        text.append('/').append(patternParts[random.nextInt(patternParts.length)]);
      }
      String patternText = text.length() == 0 ? "/" : text.toString();
      PathPattern pattern = PathPattern.compile(patternText);
      Pattern reference = reference(patternText);
      for (int q = 0; q < 30; q++) {
        StringBuilder path = new StringBuilder();
        int segments = random.nextInt(7);
        for (int i = 0; i < segments; i++) {
          path.append('/').append(pathParts[random.nextInt(pathParts.length)]);
        }
        String canonical = path.length() == 0 ? "/" : path.toString();
        boolean expected = reference.matcher(canonical.equals("/") ? "" : canonical).matches();
        assertThat(pattern.matches(canonical))
            .as("%s against %s", patternText, canonical)
            .isEqualTo(expected);
        matched += expected ? 1 : 0;
      }
    }
    assertThat(matched).as("cases that match").isGreaterThan(2_000);
  }

  /** The documented meaning as a regular expression over "/seg/seg" ("" for the root). */
  private static Pattern reference(String patternText) {
    StringBuilder regex = new StringBuilder();
    for (String segment : patternText.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (segment.equals("**")) {
        regex.append("(?:/[^/]+)*");
        continue;
      }
      regex.append('/');
      for (char ch : segment.toCharArray()) {
        regex.append(ch == '*' ? "[^/]*" : ch == '?' ? "[^/]" : Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
