package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Javalin 7 app (its own embedded Jetty 12, routes in Javalin's servlet, not in servlet mappings)
 * run as {@code java -javaagent:... -jar app.jar}: the limit with headers and 429, paths without a
 * rule untouched, and spellings of the limited path that must not reach the handler again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavalinTest {

  private static final int LIMIT = 3;

  private ChildApp app;

  /** The JDK the app runs on: the one running the tests; a subclass may pin another. */
  Path javaHome() {
    return Build.javaHome();
  }

  @BeforeAll
  void startAndSpendTheLimit() throws Exception {
    app =
        ChildApp.sampleOn(
            javaHome(),
            Build.javalinSample(),
            Build.rulesFile(
                    "javalin",
                    """
                    rules:
                      - path: /api/**
                        limit: 3/hour
                    """)
                .toString());
    for (int i = 1; i <= LIMIT; i++) {
      HttpResult ok = app.get("/api/x" + i);
      assertThat(ok.status()).as("request %d: %s", i, ok).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("hello from javalin x" + i);
      assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(LIMIT);
      assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(LIMIT - i);
    }
    HttpResult blocked = app.get("/api/y");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.longHeader("Retry-After")).isPositive();
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(calls()).isEqualTo(LIMIT);
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
      HttpResult stats = app.get("/stats");
      assertThat(stats.status()).isEqualTo(200);
      assertThat(stats.hasHeader("X-RateLimit-Limit")).as("%s", stats).isFalse();
    }
    // no "no ERROR" check here: /api//z makes Jetty 12's getServletPath throw (ambiguous empty
    // segment), which the agent logs once as an ERROR before letting the request through to the
    // 400 Javalin answers; the spelling test below shows the handler does not run
    assertThat(app.output()).contains("[fastlimit] fastlimit agent");
  }

  @Test
  void runsOnTheChosenJdk() throws Exception {
    RunningJdk.assertRunsOn(app, javaHome());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/api;x=y/z",
        "/api/z;jsessionid=1",
        "/%61pi/z",
        "/./api/z",
        "/x/../api/z",
        "//api/z",
        "/api//z",
        "/api/./z",
        "/API/z",
      })
  void spellingsOfTheLimitedPathDoNotReachTheHandler(String target) throws Exception {
    long before = calls();
    HttpResult result = app.get(target);
    if (result.status() != 429) {
      assertThat(result.status()).as("%s: %s", target, result).isBetween(400, 499);
    }
    assertThat(calls()).as("%s ran the handler", target).isEqualTo(before);
  }

  private long calls() throws Exception {
    String body = app.get("/stats").body();
    Matcher matcher = Pattern.compile("\"hello\":(\\d+)").matcher(body);
    assertThat(matcher.find()).as(body).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
