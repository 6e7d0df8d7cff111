package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Tomcat distribution from Maven Central, started by its own catalina.sh with the agent in
 * CATALINA_OPTS and a WAR dropped into webapps/: servlet classes come from the common class
 * loader and the webapp's own loader, not from one flat class path.
 */
class StandaloneTomcatTest {

  @Test
  void warDeployedInWebappsIsLimitedWithTheAgentInCatalinaOpts() throws Exception {
    Path home = Build.tomcatHome();
    Path base = Build.workDirectory("catalina-base");
    int port = ChildApp.freePort();
    copyConf(home.resolve("conf"), base.resolve("conf"), port);
    for (String dir : new String[] {"logs", "temp", "work", "webapps"}) {
      Files.createDirectories(base.resolve(dir));
    }
    Files.copy(Build.sampleWar(), base.resolve("webapps/sample-webapp.war"));
    Path rules =
        Build.rulesFile(
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
            """);
    Map<String, String> environment =
        Map.of(
            "CATALINA_HOME", home.toString(),
            "CATALINA_BASE", base.toString(),
            "JAVA_HOME", System.getProperty("java.home"),
            "CATALINA_OPTS", "-javaagent:" + Build.agentJar() + "=" + rules);
    List<String> command = List.of("sh", home.resolve("bin/catalina.sh").toString(), "run");
    try (ChildApp tomcat = ChildApp.start(command, environment, base, port)) {
      awaitDeployment(tomcat);
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
    }
  }

  static void copyConf(Path from, Path to, int port) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file)) {
          Files.copy(file, to.resolve(file.getFileName()));
        }
      }
    }
    Path serverXml = to.resolve("server.xml");
    String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
    xml =
        xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
            .replace("port=\"8080\"", "port=\"" + port + "\"");
    Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
  }

  static void awaitDeployment(ChildApp tomcat) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    HttpResult last = null;
    while (System.nanoTime() < deadline) {
      last = tomcat.get("/sample-webapp/stats");
      if (last.status() == 200) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the WAR was not deployed: " + last + "\n" + tomcat.output());
  }
}
