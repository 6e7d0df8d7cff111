package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every container must show with the agent attached: limits per path and IP, the headers, the
 * 429 that keeps the application from running, and one count per request however the request is
 * dispatched inside the application. Subclasses name the application to run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerContract {

  static final String RULES =
      """
      rules:
        - path: /api/**
          limit: 5/hour
        - path: /dispatch/**
          limit: 100/hour
        - path: /login
          methods: [POST]
          limit: 3/hour
      """;

  private ChildApp app;

  abstract Path appJar();

  /** The JDK the app runs on: the one running the tests; a subclass may pin another. */
  Path javaHome() {
    return Build.javaHome();
  }

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sampleOn(javaHome(), appJar(), Build.rulesFile("container", RULES).toString());
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void admitsTheLimitThenAnswers429WithHeadersAndBody() throws Exception {
    long before = System.currentTimeMillis() / 1000;
    for (int i = 1; i <= 5; i++) {
      HttpResult ok = app.get("/api/hello");
      assertThat(ok.status()).as("request %d", i).isEqualTo(200);
      assertThat(ok.body()).contains("hello from hello");
      assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(5 - i);
      assertThat(ok.longHeader("X-RateLimit-Reset")).isGreaterThan(before);
      assertThat(ok.hasHeader("Retry-After")).isFalse();
    }
    HttpResult blocked = app.get("/api/hello");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.longHeader("X-RateLimit-Limit")).isEqualTo(5);
    assertThat(blocked.longHeader("X-RateLimit-Remaining")).isZero();
    long retryAfter = blocked.longHeader("Retry-After");
    assertThat(retryAfter).isBetween(1L, 2L * 3600);
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(blocked.body())
        .isEqualTo(
            "{\"detail\":\"Rate limit exceeded. Try again in "
                + retryAfter
                + "s.\",\"retry_after\":"
                + retryAfter
                + "}");
    // other paths under the same rule share the bucket of this client
    assertThat(app.get("/api/other").status()).isEqualTo(429);
    assertThat(app.get("/stats").body()).contains("\"hello\":5");
  }

  @Test
  void pathsWithoutARuleAreUntouched() throws Exception {
    for (int i = 0; i < 10; i++) {
      HttpResult result = app.get("/hello");
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
      assertThat(result.hasHeader("X-RateLimit-Remaining")).isFalse();
    }
  }

  @Test
  void methodsNotListedAreNotCounted() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResult get = app.get("/login");
      assertThat(get.status()).isEqualTo(405);
      assertThat(get.hasHeader("X-RateLimit-Limit")).isFalse();
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(app.post("/login", "user=a&password=b").status()).isEqualTo(200);
    }
    HttpResult blocked = app.post("/login", "user=a&password=b");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(app.get("/stats").body()).contains("\"login\":3");
  }

  @Test
  void forwardIncludeErrorPageAndAsyncDispatchAreCountedOnce() throws Exception {
    long remaining = app.get("/dispatch/target").longHeader("X-RateLimit-Remaining");

    HttpResult forward = app.get("/dispatch/forward");
    assertThat(forward.status()).isEqualTo(200);
    assertThat(forward.body()).contains("hello from target");
    assertThat(forward.longHeader("X-RateLimit-Remaining")).isEqualTo(--remaining);

    HttpResult include = app.get("/dispatch/include");
    assertThat(include.status()).isEqualTo(200);
    assertThat(include.body()).contains("hello from target");
    assertThat(include.longHeader("X-RateLimit-Remaining")).isEqualTo(--remaining);

    HttpResult error = app.get("/dispatch/fail");
    assertThat(error.status()).isEqualTo(500);
    assertThat(error.body()).contains("hello from errorPage");
    assertThat(error.longHeader("X-RateLimit-Remaining")).isEqualTo(--remaining);

    HttpResult async = app.get("/dispatch/async");
    assertThat(async.status()).isEqualTo(200);
    assertThat(async.body()).contains("hello from target");
    assertThat(async.longHeader("X-RateLimit-Remaining")).isEqualTo(--remaining);

    // one more plain request proves nothing was counted behind our back
    assertThat(app.get("/dispatch/target").longHeader("X-RateLimit-Remaining"))
        .isEqualTo(--remaining);
    assertThat(app.get("/stats").body())
        .contains("\"forward\":1", "\"include\":1", "\"fail\":1", "\"async\":1", "\"errorPage\":1");
  }

  @Test
  void runsOnTheChosenJdk() throws Exception {
    RunningJdk.assertRunsOn(app, javaHome());
  }

  @Test
  void agentAnnouncesItsRules() throws Exception {
    assertThat(app.output())
        .contains("[fastlimit] fastlimit agent")
        .contains("/api/**: /api/** methods=* ip=5/hour")
        .doesNotContain("ERROR");
  }
}
