package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What each framework of the matrix (Spring Boot 2.7, Javalin 6, Dropwizard, Jersey as a filter)
 * must show with one ordinary app, started once per class the way that framework's users start it,
 * the agent attached as they attach agents: {@value #LIMIT} requests under the limited prefix
 * admitted with the headers, then the 429 with Retry-After and the JSON body, the app's /stats
 * untouched, and no spelling of the limited path reaching the handler again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LimitedAppContract {

  static final int LIMIT = 3;

  private ChildApp app;

  /**
   * The path under which the app greets: a GET of {@code limitedPrefix() + "/" + name} is answered
   * by its handler ({@code /api} for {@code /api/{name}}), counted as {@link #counter()} at {@link
   * #statsPath()}.
   */
  abstract String limitedPrefix();

  /** The app's call counter, a path without a rule. */
  abstract String statsPath();

  /** The /stats counter of the limited handler. */
  String counter() {
    return "hello";
  }

  /** The JDK the app runs on: the one running the tests; a subclass may pin another. */
  Path javaHome() {
    return Build.javaHome();
  }

  /** The body the handler answers for {@code name}. */
  abstract String greeting(String name);

  /** Starts the app with these rules; returns once it answers. */
  abstract ChildApp start(String rulesYaml) throws Exception;

  /** The rules: the limited prefix at {@value #LIMIT} an hour, and whatever a subclass adds. */
  String rules() {
    return "rules:\n  - path: " + limitedPrefix() + "/**\n    limit: " + LIMIT + "/hour\n";
  }

  ChildApp app() {
    return app;
  }

  @BeforeAll
  void startAndSpendTheLimit() throws Exception {
    app = start(rules());
    long before = System.currentTimeMillis() / 1000;
    for (int i = 1; i <= LIMIT; i++) {
      HttpResult ok = app.get(limitedPrefix() + "/x" + i);
      assertThat(ok.status()).as("request %d: %s", i, ok).isEqualTo(200);
      assertThat(ok.body()).contains(greeting("x" + i));
      assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(LIMIT);
      assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(LIMIT - i);
      assertThat(ok.longHeader("X-RateLimit-Reset")).isGreaterThan(before);
    }
    HttpResult blocked = app.get(limitedPrefix() + "/y");
    assertThat(blocked.status()).as("%s", blocked).isEqualTo(429);
    long retryAfter = blocked.longHeader("Retry-After");
    assertThat(retryAfter).isBetween(1L, 2L * 3600);
    assertThat(blocked.longHeader("X-RateLimit-Remaining")).isZero();
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(blocked.body()).contains("\"retry_after\":" + retryAfter);
    assertThat(calls(counter())).isEqualTo(LIMIT);
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void pathsWithoutARuleAreUntouched() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResult stats = app.get(statsPath());
      assertThat(stats.status()).isEqualTo(200);
      assertThat(stats.hasHeader("X-RateLimit-Limit")).as("%s", stats).isFalse();
      assertThat(stats.hasHeader("X-RateLimit-Remaining")).isFalse();
    }
  }

  @Test
  void runsOnTheChosenJdk() throws Exception {
    RunningJdk.assertRunsOn(app, javaHome());
  }

  @Test
  void agentAnnouncesItsRules() throws Exception {
    assertThat(app.output())
        .contains("[fastlimit] fastlimit agent")
        .contains(limitedPrefix() + "/**");
  }

  /** The limited path spelled as an attacker would, after its limit is spent. */
  List<String> spellings() {
    String path = limitedPrefix() + "/z";
    int second = path.indexOf('/', 1);
    String first = path.substring(1, second);
    String rest = path.substring(second + 1);
    return List.of(
        "/" + first + ";x=y/" + rest,
        path + ";jsessionid=1",
        "/%" + Integer.toHexString(first.charAt(0)) + first.substring(1) + "/" + rest,
        "/./" + path.substring(1),
        "/x/../" + path.substring(1),
        "/" + path,
        "/" + first + "//" + rest,
        "/" + first + "/./" + rest,
        "/" + first + "/q/../" + rest,
        "/" + first.toUpperCase(Locale.ROOT) + "/" + rest);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("spellings")
  void spellingsOfTheLimitedPathDoNotReachTheHandler(String target) throws Exception {
    long before = calls(counter());
    HttpResult result = app.get(target);
    // no handler but the limited one under this prefix: any answer but 429 must be the server's
    // or framework's own refusal or redirect (Spring Security 5's firewall refuses ;x=y, // and
    // dot segments with a 500, Jetty ambiguous paths with a 400); the count is the proof
    if (result.status() != 429) {
      assertThat(result.status()).as("%s: %s", target, result).isGreaterThanOrEqualTo(300);
    }
    assertThat(calls(counter())).as("%s ran the handler: %s", target, result).isEqualTo(before);
  }

  /** A counter of the app's /stats JSON. */
  long calls(String counter) throws Exception {
    HttpResult stats = app.get(statsPath());
    assertThat(stats.status()).as("%s: %s", statsPath(), stats).isEqualTo(200);
    Matcher matcher = Pattern.compile("\"" + counter + "\":(\\d+)").matcher(stats.body());
    assertThat(matcher.find()).as(stats.body()).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
