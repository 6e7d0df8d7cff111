package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code count: failures} at {@code stage: container} on embedded Undertow 2.3's container-managed
 * FORM login ({@code -Dsample.login=FORM}, user admin): Undertow's FORM authenticator answers a
 * wrong password with a 200 forward to its form-error page ({@code /api/login-error}), which the
 * rule names in {@code failure.forward}. The front door charges each attempt and, once the exchange
 * is complete, gives back the successes (a redirect to the saved page): successes never use the
 * bucket, and past the limit of failures every attempt gets the agent's 429.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Undertow2FormLoginFailuresFrontDoorTest {

  private static final String RULES =
      """
      trusted-proxies: 1
      rules:
        - name: form-login
          path: /secure/j_security_check
          methods: [POST]
          stage: container
          ip: 3/hour
          count: failures
          failure:
            forward: [/api/login-error]
      """;

  private static final String ERROR_PAGE = "hello from hello /api/login-error";

  private ChildApp app;

  @BeforeAll
  void start() throws Exception {
    app =
        ChildApp.sample(
            Build.undertowSample(),
            Build.rulesFile("undertow-form-login-failures", RULES).toString(),
            "-Dsample.login=FORM");
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void successfulLoginsNeverUseTheBucket() throws Exception {
    for (int i = 1; i <= 10; i++) {
      HttpClient browser = browser();
      get(browser, "/secure/x"); // the saved request the login returns to
      HttpResponse<String> login =
          post(browser, "203.0.113.31", "j_username=admin&j_password=right-one");
      assertThat(login.statusCode()).as("good login %d: %s", i, login.body()).isIn(302, 303);
    }
  }

  @Test
  void wrongPasswordsForwardedToTheErrorPageAreLimited() throws Exception {
    HttpClient browser = browser();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> answer =
          post(browser, "203.0.113.41", "j_username=admin&j_password=guess" + i);
      assertThat(answer.statusCode()).as("attempt %d: %s", i, answer.body()).isEqualTo(200);
      assertThat(answer.body()).as("the authenticator's error page").startsWith(ERROR_PAGE);
    }
    HttpResponse<String> fourth =
        post(browser, "203.0.113.41", "j_username=admin&j_password=guess4");
    assertThat(fourth.statusCode()).as("the 4th failure: %s", fourth.body()).isEqualTo(429);
    assertThat(fourth.body()).contains("Rate limit exceeded");
    HttpResponse<String> right =
        post(browser(), "203.0.113.41", "j_username=admin&j_password=right-one");
    assertThat(right.statusCode()).as("past the limit, the right password too").isEqualTo(429);
    HttpResponse<String> elsewhere =
        post(browser(), "203.0.113.42", "j_username=admin&j_password=guess5");
    assertThat(elsewhere.statusCode()).as("another address has its own bucket").isEqualTo(200);
  }

  private static HttpClient browser() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(20))
        .build();
  }

  private HttpResponse<String> get(HttpClient browser, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(20))
            .GET()
            .build();
    return browser.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A FORM login as browsers post it: no charset in the Content-Type. */
  private HttpResponse<String> post(HttpClient browser, String from, String form) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/secure/j_security_check"))
            .timeout(Duration.ofSeconds(20))
            .header("X-Forwarded-For", from)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
            .build();
    return browser.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
