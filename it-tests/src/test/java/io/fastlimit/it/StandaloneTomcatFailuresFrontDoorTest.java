package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code count: failures} at {@code stage: container} on the Tomcat distribution's own logins: the
 * front door charges each attempt and, once Tomcat has answered it, gives back the successes
 * (completion at the connector request's recycle). A BASIC failure is the authenticator's 401; a
 * FORM failure is its forward to the login error page. Successes never use the bucket; past the
 * limit of failures every attempt gets the agent's 429, the right password too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneTomcatFailuresFrontDoorTest {

  private static final String RULES =
      """
      rules:
        - path: /manager/**
          stage: container
          ip: 3/hour
          count: failures
        - path: /examples/jsp/security/protected/j_security_check
          methods: [POST]
          stage: container
          ip: 3/hour
          count: failures
          failure:
            forward: [/jsp/security/protected/error.jsp]
      """;

  private static final String USERS =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
        <role rolename="manager-script"/>
        <role rolename="tomcat"/>
        <user username="admin" password="right-one" roles="manager-script"/>
        <user username="tomcat" password="right-one" roles="tomcat"/>
      </tomcat-users>
      """;

  private static final String PROTECTED = "/examples/jsp/security/protected/index.jsp";
  private static final String LOGIN = "/examples/jsp/security/protected/j_security_check";
  private static final String ERROR_PAGE = "/examples/jsp/security/protected/error.jsp";

  private ChildApp tomcat;

  @BeforeAll
  void startTomcatWithItsManagerAndExamples() throws Exception {
    tomcat =
        StandaloneTomcat.start(
            "front-door-failures", RULES, StandaloneTomcatFailuresFrontDoorTest::homeWebapps);
    compileTheLoginPages();
  }

  /**
   * Tomcat compiles a JSP at its first request, which on a loaded machine can outlast a client's
   * read timeout: the login page, the protected page and the error page are compiled here, signed
   * in (a success, which the rule gives back), so that no counted attempt of the tests waits.
   */
  private void compileTheLoginPages() throws Exception {
    String session = sessionCookie(patiently(PROTECTED));
    HttpResult signedIn =
        tomcat.post(LOGIN, "j_username=tomcat&j_password=right-one", "Cookie: " + session);
    String cookie = signedIn.header("Set-Cookie");
    String signedInSession = cookie == null ? session : cookie.substring(0, cookie.indexOf(';'));
    for (String page : new String[] {PROTECTED, ERROR_PAGE + "?jsp_precompile=true"}) {
      HttpResult compiled = patiently(page, "Cookie: " + signedInSession);
      assertThat(compiled.status()).as("%s: %s", page, compiled).isEqualTo(200);
    }
  }

  /** A GET (never counted) retried while the JSP it asks for is still compiling. */
  private HttpResult patiently(String target, String... headers) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return tomcat.get(target, headers);
      } catch (java.net.SocketTimeoutException stillCompiling) {
        if (attempt == 6) {
          throw stillCompiling;
        }
      }
    }
  }

  private static void homeWebapps(Path home, Path base) throws IOException {
    Path contexts = Files.createDirectories(base.resolve("conf/Catalina/localhost"));
    for (String app : new String[] {"manager", "examples"}) {
      Files.writeString(
          contexts.resolve(app + ".xml"),
          "<Context docBase=\"" + home.resolve("webapps/" + app) + "\" privileged=\"true\"/>\n",
          StandardCharsets.UTF_8);
    }
    Files.writeString(base.resolve("conf/tomcat-users.xml"), USERS, StandardCharsets.UTF_8);
  }

  @AfterAll
  void stopTomcat() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @Test
  void onlyWrongBasicPasswordsUseTheManagersBucket() throws Exception {
    for (int i = 1; i <= 5; i++) {
      HttpResult listed =
          GiveBacks.onceGivenBack(() -> tomcat.get("/manager/text/list", basic("right-one")));
      assertThat(listed.status()).as("success %d: %s", i, listed).isEqualTo(200);
    }
    for (int i = 1; i <= 3; i++) {
      String password = "guess-" + i;
      HttpResult wrong =
          GiveBacks.onceGivenBack(() -> tomcat.get("/manager/text/list", basic(password)));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
    }
    for (String password : new String[] {"guess-4", "right-one"}) {
      HttpResult blocked = tomcat.get("/manager/text/list", basic(password));
      assertThat(blocked.status()).as("%s: %s", password, blocked).isEqualTo(429);
      assertThat(blocked.header("WWW-Authenticate")).isNull();
      assertThat(blocked.longHeader("Retry-After")).isPositive();
    }
  }

  @Test
  void onlyFormLoginsForwardedToTheErrorPageUseTheExamplesBucket() throws Exception {
    for (int i = 1; i <= 4; i++) {
      HttpResult signedIn =
          GiveBacks.onceGivenBack(
              () ->
                  tomcat.post(
                      LOGIN,
                      "j_username=tomcat&j_password=right-one",
                      "Cookie: " + sessionCookie(tomcat.get(PROTECTED))));
      assertThat(signedIn.status()).as("success %d: %s", i, signedIn).isBetween(300, 399);
      assertThat(signedIn.header("Location")).as("%s", signedIn).endsWith("index.jsp");
    }
    for (int i = 1; i <= 3; i++) {
      String password = "guess-" + i;
      HttpResult wrong =
          GiveBacks.onceGivenBack(
              () ->
                  tomcat.post(
                      LOGIN,
                      "j_username=tomcat&j_password=" + password,
                      "Cookie: " + sessionCookie(tomcat.get(PROTECTED))));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(200);
      assertThat(wrong.body()).contains("Invalid user name");
    }
    String session = sessionCookie(tomcat.get(PROTECTED));
    HttpResult blocked =
        tomcat.post(LOGIN, "j_username=tomcat&j_password=right-one", "Cookie: " + session);
    assertThat(blocked.status()).as("%s", blocked).isEqualTo(429);
    assertThat(blocked.body()).contains("Rate limit exceeded");
  }

  /** "JSESSIONID=..." from the login page the protected page answered with. */
  private static String sessionCookie(HttpResult loginPage) {
    String cookie = loginPage.header("Set-Cookie");
    assertThat(cookie).as("%s", loginPage).startsWith("JSESSIONID=");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private static String basic(String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }
}
