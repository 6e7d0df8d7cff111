package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Tomcat distribution from Maven Central, started by its own catalina.sh with the agent in
 * CATALINA_OPTS and a WAR dropped into webapps/: servlet classes come from the common class loader
 * and the webapp's own loader, not from one flat class path.
 */
class StandaloneTomcatTest {

  /** The JDK Tomcat runs on: the one running the tests; a subclass may pin another. */
  Path javaHome() {
    return Build.javaHome();
  }

  @Test
  void warDeployedInWebappsIsLimitedWithTheAgentInCatalinaOpts() throws Exception {
    try (ChildApp tomcat =
        StandaloneTomcat.start(
            javaHome(),
            "standalone",
            """
            rules:
              - path: /sample-webapp/api/**
                limit: 3/hour
              - name: login
                path: /sample-webapp/login
                methods: [POST]
                limit: 2/hour
                before-filters: true
              - name: login-at-servlet
                path: /sample-webapp/login
                methods: [POST]
                limit: 100/hour
            """,
            (home, base) -> {})) {
      for (int i = 1; i <= 3; i++) {
        HttpResult ok = tomcat.get("/sample-webapp/api/hello");
        assertThat(ok.status()).as("request %d: %s", i, ok).isEqualTo(200);
        assertThat(ok.body()).contains("hello from the WAR at /sample-webapp");
        assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(3 - i);
      }
      HttpResult blocked = tomcat.get("/sample-webapp/api/hello");
      assertThat(blocked.status()).isEqualTo(429);
      assertThat(blocked.longHeader("Retry-After")).isPositive();
      assertThat(tomcat.get("/sample-webapp/stats").body()).contains("\"hello\":3");
      // a login handled inside a filter, never reaching a servlet, is limited before the filters
      assertThat(tomcat.post("/sample-webapp/login", "u=a&p=b").status()).isEqualTo(200);
      HttpResult second = tomcat.post("/sample-webapp/login", "u=a&p=b");
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.longHeader("X-RateLimit-Remaining")).isZero();
      assertThat(tomcat.post("/sample-webapp/login", "u=a&p=b").status()).isEqualTo(429);
      assertThat(tomcat.get("/sample-webapp/stats").body()).contains("\"login\":2");
      assertThat(tomcat.output()).contains("[fastlimit] fastlimit agent");
      RunningJdk.assertRunsOn(tomcat, javaHome());
      // the same path at the servlet stage never applies there, and the log says so once
      tomcat.awaitOutput(
          "WARN rule login-at-servlet covers POST /sample-webapp/login, but the application"
              + " answered that request inside the filter io.fastlimit.sample.war.LoginFilter");
      assertThat(tomcat.output().split("rule login-at-servlet covers", -1)).hasSize(2);
    }
  }
}
