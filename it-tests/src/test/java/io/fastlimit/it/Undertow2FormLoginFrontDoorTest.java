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
 * Embedded Undertow 2.3 with a container-managed FORM login ({@code -Dsample.login=FORM}: {@code
 * /secure/*}, posted to {@code /secure/j_security_check}, user admin), which Undertow's own FORM
 * authenticator answers before any filter or servlet. The rule is decided at {@code stage:
 * container} and takes its account from {@code j_username} of forms sent as browsers send them,
 * without a charset: one account attacked from many addresses is limited by its account bucket, and
 * the authenticator, which parses the same body after the agent, still logs the right user in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Undertow2FormLoginFrontDoorTest {

  private static final String RULES =
      """
      trusted-proxies: 1
      rules:
        - name: form-login
          path: /secure/j_security_check
          methods: [POST]
          stage: container
          ip: 100/hour
          account: 3/hour
          account-from: form:j_username
      """;

  private static final String ERROR_PAGE = "hello from hello /api/login-error";
  private static final String LOGIN_PAGE = "hello from hello /api/login-page";

  private ChildApp app;

  @BeforeAll
  void start() throws Exception {
    app =
        ChildApp.sample(
            Build.undertowSample(),
            Build.rulesFile("undertow-form-login", RULES).toString(),
            "-Dsample.login=FORM");
  }

  @AfterAll
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void oneAccountAttackedFromManyAddressesIsLimitedBeforeTheAuthenticator() throws Exception {
    HttpClient browser = browser();
    int refused = 0;
    for (int i = 1; i <= 6; i++) {
      String alice = i % 2 == 0 ? "Alice" : "alice+"; // one account, trimmed and case folded
      HttpResponse<String> answer =
          post(browser, "198.51.100." + i, "j_username=" + alice + "&j_password=guess" + i);
      if (answer.statusCode() == 429) {
        refused++;
        assertThat(answer.body()).contains("Rate limit exceeded");
      } else {
        assertThat(answer.statusCode()).as("attempt %d: %s", i, answer.body()).isEqualTo(200);
        assertThat(answer.body()).as("the authenticator's error page").startsWith(ERROR_PAGE);
      }
    }
    assertThat(refused).as("the 4th to 6th address").isEqualTo(3);
    HttpResponse<String> other = post(browser, "198.51.100.7", "j_username=carol&j_password=x");
    assertThat(other.statusCode()).as("another account from a fresh address").isEqualTo(200);
    assertThat(other.body()).startsWith(ERROR_PAGE);
  }

  @Test
  void theAuthenticatorReadsTheSameBodyAndLogsTheUserIn() throws Exception {
    HttpClient browser = browser();
    HttpResponse<String> loginPage = get(browser, "/secure/x");
    assertThat(loginPage.body()).as("the container asks for a login").startsWith(LOGIN_PAGE);
    HttpResponse<String> login =
        post(browser, "203.0.113.21", "j_username=admin&j_password=right-one");
    assertThat(login.statusCode()).as("%s", login.body()).isIn(302, 303);
    assertThat(login.headers().firstValue("Location").orElse("")).endsWith("/secure/x");
    HttpResponse<String> signedIn = get(browser, "/secure/x");
    assertThat(signedIn.body()).as("signed in: no login page").doesNotContain(LOGIN_PAGE);
    assertThat(signedIn.statusCode())
        .as("signed in: past the constraint, no servlet")
        .isEqualTo(404);
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
