package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Container-managed BASIC authentication of an embedded container (the samples' {@code /secure/*},
 * user admin), which the container's security handler answers before any filter or servlet. With
 * the rule at {@code stage: container} the agent decides first: past the limit every attempt, right
 * password or wrong, gets the agent's 429 and never reaches the authenticator (no 401 challenge).
 * Other paths are untouched. Subclasses name the application to run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BasicLoginFrontDoorContract {

  private static final String RULES =
      """
      rules:
        - path: /secure/**
          stage: container
          ip: 3/hour
      """;

  private ChildApp app;

  abstract Path appJar();

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sample(appJar(), Build.rulesFile("basic-front-door", RULES).toString());
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void basicLoginsAreLimitedBeforeTheAuthenticator() throws Exception {
    HttpResult signedIn = app.get("/secure/x", basic("right-one"));
    assertThat(signedIn.status()).as("%s", signedIn).isNotIn(401, 429);
    assertThat(signedIn.header("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(signedIn.header("X-RateLimit-Remaining")).isEqualTo("2");
    for (int i = 1; i <= 2; i++) {
      HttpResult wrong = app.get("/secure/x", basic("guess-" + i));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
      assertThat(wrong.header("WWW-Authenticate")).as("the authenticator answered").isNotNull();
      assertThat(wrong.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
    }

    for (String password : new String[] {"guess-3", "right-one"}) {
      HttpResult blocked = app.get("/secure/x", basic(password));
      assertThat(blocked.status()).as("%s: %s", password, blocked).isEqualTo(429);
      assertThat(blocked.header("WWW-Authenticate")).as("no challenge: %s", blocked).isNull();
      assertThat(blocked.body()).contains("Rate limit exceeded");
      assertThat(blocked.header("X-RateLimit-Remaining")).isEqualTo("0");
      assertThat(blocked.longHeader("Retry-After")).isPositive();
    }
    HttpResult anonymous = app.get("/secure/x");
    assertThat(anonymous.status()).as("%s", anonymous).isEqualTo(429);
  }

  @Test
  void otherPathsAreUntouched() throws Exception {
    HttpResult hello = app.get("/api/hello");
    assertThat(hello.status()).as("%s", hello).isEqualTo(200);
    assertThat(hello.header("X-RateLimit-Limit")).isNull();
  }

  private static String basic(String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }
}
