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
 * {@code count: failures} at {@code stage: container} over an embedded container's own BASIC login
 * (the samples' {@code /secure/*}): successes are given back once the container has answered (the
 * front door's completion), the authenticator's 401s use the bucket, and past the limit every
 * attempt gets the agent's 429. Subclasses name the application to run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BasicFailuresFrontDoorContract {

  private static final String RULES =
      """
      rules:
        - path: /secure/**
          stage: container
          ip: 3/hour
          count: failures
      """;

  private ChildApp app;

  abstract Path appJar();

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sample(appJar(), Build.rulesFile("basic-failures", RULES).toString());
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void onlyWrongPasswordsUseTheBucket() throws Exception {
    // Two successes: each is charged at entry and given back when the container completes it,
    // which on Jetty 12 can come after the client has read the answer and sent the next request.
    for (int i = 1; i <= 2; i++) {
      HttpResult signedIn = GiveBacks.onceGivenBack(() -> app.get("/secure/x", basic("right-one")));
      assertThat(signedIn.status()).as("success %d: %s", i, signedIn).isNotIn(401, 429);
    }
    for (int i = 1; i <= 3; i++) {
      String password = "guess-" + i;
      HttpResult wrong = GiveBacks.onceGivenBack(() -> app.get("/secure/x", basic(password)));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
    }
    for (String password : new String[] {"guess-4", "right-one"}) {
      HttpResult blocked = app.get("/secure/x", basic(password));
      assertThat(blocked.status()).as("%s: %s", password, blocked).isEqualTo(429);
      assertThat(blocked.header("WWW-Authenticate")).isNull();
    }
  }

  private static String basic(String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }
}
