package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code count: failures} at {@code stage: container} over a login that the application answers
 * asynchronously (the samples' {@code GET /async/login}, completed through its AsyncContext on
 * another thread after the container thread returned): the front door must see how the request
 * ended then, so successes are given back, the 401s use the bucket, and past the limit every
 * attempt gets the agent's 429. Subclasses name the application to run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AsyncFailuresFrontDoorContract {

  private static final String RULES =
      """
      rules:
        - path: /async/login
          stage: container
          ip: 3/hour
          count: failures
      """;

  private ChildApp app;

  abstract Path appJar();

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sample(appJar(), Build.rulesFile("async-failures", RULES).toString());
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void asyncSuccessesAreGivenBackAndFailuresUseTheBucket() throws Exception {
    for (int i = 1; i <= 3; i++) {
      HttpResult signedIn =
          GiveBacks.onceGivenBack(() -> app.get("/async/login?password=right-one"));
      assertThat(signedIn.status()).as("success %d: %s", i, signedIn).isEqualTo(200);
      assertThat(signedIn.body()).isEqualTo("welcome");
    }
    for (int i = 1; i <= 3; i++) {
      String target = "/async/login?password=guess-" + i;
      HttpResult wrong = GiveBacks.onceGivenBack(() -> app.get(target));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
    }
    for (String password : new String[] {"guess-4", "right-one"}) {
      HttpResult blocked = app.get("/async/login?password=" + password);
      assertThat(blocked.status()).as("%s: %s", password, blocked).isEqualTo(429);
      assertThat(blocked.body()).contains("Rate limit exceeded");
    }
  }
}
