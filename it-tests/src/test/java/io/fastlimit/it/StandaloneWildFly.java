package io.fastlimit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The WildFly distribution from Maven Central, started by its own standalone.sh: a fresh copy of
 * standalone/ as the server base directory with the sample WAR in deployments/, and the agent added
 * to JAVA_OPTS in a copy of bin/standalone.conf (the file users edit), handed over as RUN_CONF.
 * JBoss Modules needs nothing more: the agent adds its bootstrap package to {@code
 * jboss.modules.system.pkgs} itself.
 */
final class StandaloneWildFly {

  private StandaloneWildFly() {}

  /** Starts WildFly with these rules and returns once the WAR answers. */
  static ChildApp start(
      Path javaHome, Path home, String name, Path war, String context, String rulesYaml)
      throws Exception {
    Path work = Build.workDirectory("wildfly-" + name);
    Path base = work.resolve("standalone");
    copyTree(home.resolve("standalone"), base);
    Files.copy(war, base.resolve("deployments/" + context + ".war"));
    // the transaction manager's two fixed ports would clash with another server on this machine
    Path config = base.resolve("configuration/standalone.xml");
    String xml = Files.readString(config, StandardCharsets.UTF_8);
    Files.writeString(
        config,
        xml.replace("port=\"4712\"", "port=\"0\"").replace("port=\"4713\"", "port=\"0\""),
        StandardCharsets.UTF_8);
    Path rules = Build.rulesFile(name, rulesYaml);
    Path runConf = work.resolve("standalone.conf");
    Files.writeString(
        runConf,
        Files.readString(home.resolve("bin/standalone.conf"), StandardCharsets.UTF_8)
            + "\nJAVA_OPTS=\"$JAVA_OPTS -javaagent:"
            + Build.agentJar()
            + "="
            + rules
            + "\"\n",
        StandardCharsets.UTF_8);
    int port = ChildApp.freePort();
    List<String> command =
        List.of(
            "sh",
            home.resolve("bin/standalone.sh").toString(),
            "-Djboss.server.base.dir=" + base,
            "-b",
            "127.0.0.1",
            "-bmanagement",
            "127.0.0.1",
            "-Djboss.http.port=" + port,
            "-Djboss.https.port=" + ChildApp.freePort(),
            "-Djboss.management.http.port=" + ChildApp.freePort(),
            "-Djboss.management.https.port=" + ChildApp.freePort(),
            "-Djboss.ajp.port=" + ChildApp.freePort());
    Map<String, String> environment =
        Map.of(
            "JBOSS_HOME", home.toString(),
            "JAVA_HOME", javaHome.toString(),
            "RUN_CONF", runConf.toString(),
            "LAUNCH_JBOSS_IN_BACKGROUND", "false");
    return AppServers.awaitContexts(
        ChildApp.start(command, environment, work, port), List.of(context));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
