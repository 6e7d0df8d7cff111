package io.fastlimit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Tomcat distribution from Maven Central, started by its own catalina.sh in a fresh
 * CATALINA_BASE with the sample WAR in webapps/ and the agent in CATALINA_OPTS.
 */
final class StandaloneTomcat {

  private StandaloneTomcat() {}

  /** What a test adds to its fresh CATALINA_BASE before Tomcat starts (webapps, users). */
  interface BaseSetup {
    void prepare(Path home, Path base) throws IOException;
  }

  /** Starts Tomcat with these rules and returns once the WAR answers. */
  static ChildApp start(String name, String rulesYaml) throws Exception {
    return start(name, rulesYaml, (home, base) -> {});
  }

  /** As {@link #start(String, String)}, with {@code setup} applied to the base first. */
  static ChildApp start(String name, String rulesYaml, BaseSetup setup) throws Exception {
    return start(Build.javaHome(), name, rulesYaml, setup);
  }

  /** As {@link #start(String, String, BaseSetup)}, Tomcat run by the JDK at {@code javaHome}. */
  static ChildApp start(Path javaHome, String name, String rulesYaml, BaseSetup setup)
      throws Exception {
    Path home = Build.tomcatHome();
    Path base = Build.workDirectory("catalina-base-" + name);
    int port = ChildApp.freePort();
    copyConf(home.resolve("conf"), base.resolve("conf"), port);
    for (String dir : new String[] {"logs", "temp", "work", "webapps"}) {
      Files.createDirectories(base.resolve(dir));
    }
    Files.copy(Build.sampleWar(), base.resolve("webapps/sample-webapp.war"));
    setup.prepare(home, base);
    Path rules = Build.rulesFile(name, rulesYaml);
    Map<String, String> environment =
        Map.of(
            "CATALINA_HOME", home.toString(),
            "CATALINA_BASE", base.toString(),
            "JAVA_HOME", javaHome.toString(),
            "CATALINA_OPTS", "-javaagent:" + Build.agentJar() + "=" + rules);
    List<String> command = List.of("sh", home.resolve("bin/catalina.sh").toString(), "run");
    ChildApp tomcat = ChildApp.start(command, environment, base, port);
    try {
      awaitDeployment(tomcat);
    } catch (Exception | AssertionError e) {
      tomcat.close();
      throw e;
    }
    return tomcat;
  }

  private static void copyConf(Path from, Path to, int port) throws IOException {
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

  private static void awaitDeployment(ChildApp tomcat) throws Exception {
    // a guard, not a timing: the port is bound before the WARs deploy, and a request waits
    // unanswered until every WAR has (a Jersey WAR took over 20 s on a loaded machine)
    long deadline = System.nanoTime() + 180_000_000_000L;
    HttpResult last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = tomcat.get("/sample-webapp/stats");
      } catch (java.net.SocketTimeoutException stillDeploying) {
        continue;
      }
      if (last.status() == 200) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the WAR was not deployed: " + last + "\n" + tomcat.output());
  }
}
