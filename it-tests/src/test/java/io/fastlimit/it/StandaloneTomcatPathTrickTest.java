package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path tricks on the context path, which the embedded samples (root context) cannot show: a WAR at
 * /sample-webapp in the Tomcat distribution. Tomcat's {@code getContextPath()} returns the context
 * path as it appears in the request line — undecoded, with path parameters, dot segments and all —
 * while it routes on the decoded, normalized path. Once the limit is spent, no spelling of the
 * context path may make the servlet run again.
 *
 * <p>Tomcat 11.0.24 routes each spelling below marked RUNS to the WAR's servlet, and with the agent
 * as it is the servlet runs (200) although the limit is spent: the advice builds its path from
 * {@code getContextPath()} (in brackets) + servlet path + path info, and that path matches no rule.
 * These five fail until the advice takes the context path from {@code
 * request.getServletContext().getContextPath()}, which is canonical.
 *
 * <pre>
 * /sample-webapp;x=y/api/hello           RUNS [/sample-webapp;x=y]
 * /sample-webapp;jsessionid=1/api/hello  RUNS [/sample-webapp;jsessionid=1]
 * /%73ample-webapp/api/hello             RUNS [/%73ample-webapp]
 * /./sample-webapp/api/hello             RUNS [/./sample-webapp]
 * /x/../sample-webapp/api/hello          RUNS [/x/../sample-webapp]
 * //sample-webapp/api/hello              429
 * /sample-webapp/./api/hello             429
 * /sample-webapp/api;x=y/hello           429
 * /sample-webapp/%61pi/hello             429
 * /SAMPLE-webapp/api/hello               404
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneTomcatPathTrickTest {

  private static final int LIMIT = 2;

  private ChildApp tomcat;

  @BeforeAll
  void startTomcatAndSpendTheLimit() throws Exception {
    tomcat =
        StandaloneTomcat.start(
            "standalone-tricks",
            """
            rules:
              - path: /sample-webapp/api/**
                limit: 2/hour
            """);
    for (int i = 1; i <= LIMIT; i++) {
      HttpResult ok = tomcat.get("/sample-webapp/api/hello");
      assertThat(ok.status()).as("request %d: %s", i, ok).isEqualTo(200);
    }
    assertThat(tomcat.get("/sample-webapp/api/hello").status()).isEqualTo(429);
    assertTheServletRanOnlyTheLimit();
  }

  @AfterAll
  void stopTomcat() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/sample-webapp;x=y/api/hello",
        "/sample-webapp;jsessionid=1/api/hello",
        "/%73ample-webapp/api/hello",
        "/./sample-webapp/api/hello",
        "/x/../sample-webapp/api/hello",
        "//sample-webapp/api/hello",
        "/sample-webapp/./api/hello",
        "/sample-webapp/api;x=y/hello",
        "/sample-webapp/%61pi/hello",
        "/SAMPLE-webapp/api/hello",
      })
  void contextPathSpellingsCannotDodgeTheRule(String target) throws Exception {
    String before = stats();
    HttpResult result = tomcat.get(target);
    // the WAR has no other servlet under /api: any answer but 429 must be the container's 4xx
    if (result.status() != 429) {
      assertThat(result.status()).as("%s: %s", target, result).isBetween(400, 499);
    }
    assertThat(stats()).as("%s ran the servlet", target).isEqualTo(before);
  }

  private void assertTheServletRanOnlyTheLimit() throws Exception {
    assertThat(stats()).contains("\"hello\":" + LIMIT + ",");
  }

  private String stats() throws Exception {
    return tomcat.get("/sample-webapp/stats").body();
  }
}
