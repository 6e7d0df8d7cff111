package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Container-managed logins of the Tomcat distribution's own webapps, which Tomcat's authenticator
 * valves answer before any filter or servlet: the manager (BASIC) and the examples' FORM {@code
 * j_security_check}. With their rules at {@code stage: container} the agent decides before the
 * authenticator: past the limit every attempt, right password or wrong, gets the agent's 429 and
 * never reaches it (no 401 challenge, no login error page, no login). Other paths are untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneTomcatFrontDoorTest {

  private static final String RULES =
      """
      rules:
        - path: /manager/**
          stage: container
          ip: 3/hour
        - path: /examples/jsp/security/protected/j_security_check
          methods: [POST]
          stage: container
          ip: 3/hour
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

  private static final String LOGIN = "/examples/jsp/security/protected/j_security_check";

  private ChildApp tomcat;
  private Path catalinaBase;

  @BeforeAll
  void startTomcatWithItsManagerAndExamples() throws Exception {
    tomcat =
        StandaloneTomcat.start(
            "front-door",
            RULES,
            (home, base) -> {
              catalinaBase = base;
              homeWebapps(home, base);
            });
  }

  /**
   * The distribution's manager and examples, deployed from CATALINA_HOME, and their users; the
   * access log as configured, but written at once.
   */
  private static void homeWebapps(Path home, Path base) throws IOException {
    Path serverXml = base.resolve("conf/server.xml");
    String server = Files.readString(serverXml, StandardCharsets.UTF_8);
    String unbuffered =
        server.replace(
            "prefix=\"localhost_access_log\"",
            "prefix=\"localhost_access_log\" buffered=\"false\"");
    if (unbuffered.equals(server)) {
      throw new IllegalStateException("no access log valve in " + serverXml);
    }
    Files.writeString(serverXml, unbuffered, StandardCharsets.UTF_8);
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
  void basicLoginsToTheManagerAreLimitedBeforeTheAuthenticator() throws Exception {
    HttpResult listed = tomcat.get("/manager/text/list", basic("admin", "right-one"));
    assertThat(listed.status()).as("%s", listed).isEqualTo(200);
    assertThat(listed.body()).startsWith("OK - Listed applications");
    assertThat(listed.header("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(listed.header("X-RateLimit-Remaining")).isEqualTo("2");
    for (int i = 1; i <= 2; i++) {
      HttpResult wrong = tomcat.get("/manager/text/list", basic("admin", "guess-" + i));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
      assertThat(wrong.header("WWW-Authenticate")).as("the authenticator answered").isNotNull();
      assertThat(wrong.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
    }

    for (String password : new String[] {"guess-3", "right-one"}) {
      HttpResult blocked = tomcat.get("/manager/text/list", basic("admin", password));
      assertBlockedBeforeTheAuthenticator(blocked, password);
      assertThat(blocked.header("WWW-Authenticate")).as("no challenge: %s", blocked).isNull();
    }
    assertBlockedBeforeTheAuthenticator(tomcat.get("/manager/html"), "no credentials");
    String[] lines = {
      "\"GET /manager/text/list HTTP/1.1\" 401 ",
      "\"GET /manager/text/list HTTP/1.1\" 429 ",
      "\"GET /manager/html HTTP/1.1\" 429 "
    };
    assertThat(accessLogOnceItHas(lines))
        .as("refused requests are in Tomcat's access log")
        .contains(lines);
  }

  /**
   * The host's access log once it has every one of these texts, or after a minute: Tomcat writes a
   * request's line after the client has its answer.
   */
  private String accessLogOnceItHas(String... texts) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String log = accessLog();
    while (!containsAll(log, texts) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      log = accessLog();
    }
    return log;
  }

  private static boolean containsAll(String log, String... texts) {
    for (String text : texts) {
      if (!log.contains(text)) {
        return false;
      }
    }
    return true;
  }

  /** The lines of the host's access log (logs/localhost_access_log.DATE.txt). */
  private String accessLog() throws IOException {
    StringBuilder lines = new StringBuilder();
    try (DirectoryStream<Path> logs =
        Files.newDirectoryStream(catalinaBase.resolve("logs"), "localhost_access_log*")) {
      for (Path log : logs) {
        lines.append(Files.readString(log, StandardCharsets.UTF_8));
      }
    }
    return lines.toString();
  }

  @Test
  void formLoginsToTheExamplesAreLimitedBeforeTheAuthenticator() throws Exception {
    for (int i = 1; i <= 3; i++) {
      HttpResult wrong = tomcat.post(LOGIN, "j_username=tomcat&j_password=guess-" + i);
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(200);
      assertThat(wrong.body()).as("the login error page").contains("Invalid user name");
      assertThat(wrong.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(3 - i));
    }

    for (String password : new String[] {"guess-4", "right-one"}) {
      HttpResult blocked = tomcat.post(LOGIN, "j_username=tomcat&j_password=" + password);
      assertBlockedBeforeTheAuthenticator(blocked, password);
      assertThat(blocked.body()).doesNotContain("Invalid user name");
      assertThat(blocked.header("Set-Cookie")).as("no session: %s", blocked).isNull();
    }
    // the rule is for POST: the login page itself is not limited
    HttpResult page = tomcat.get("/examples/jsp/security/protected/login.jsp");
    assertThat(page.status()).as("%s", page).isNotEqualTo(429);
    assertThat(page.header("X-RateLimit-Limit")).isNull();
  }

  @Test
  void otherPathsAreUntouched() throws Exception {
    for (String path : new String[] {"/examples/", "/examples/servlets/", "/sample-webapp/stats"}) {
      HttpResult result = tomcat.get(path);
      assertThat(result.status()).as("%s: %s", path, result).isEqualTo(200);
      assertThat(result.header("X-RateLimit-Limit")).as(path).isNull();
    }
  }

  private static void assertBlockedBeforeTheAuthenticator(HttpResult blocked, String attempt) {
    assertThat(blocked.status()).as("%s: %s", attempt, blocked).isEqualTo(429);
    assertThat(blocked.body()).contains("Rate limit exceeded");
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(blocked.header("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(blocked.header("X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(blocked.longHeader("Retry-After")).isPositive();
  }

  private static String basic(String user, String password) {
    String pair = user + ":" + password;
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
