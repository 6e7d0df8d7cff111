package io.fastlimit.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Open Liberty runtime from Maven Central (OSGi kernel, its own web container), started by its
 * own {@code bin/server run} with a fresh user directory (WLP_USER_DIR): a server.xml with the
 * servlet feature and the WAR, and the agent in the server's {@code jvm.options}, the file Liberty
 * users put JVM options in. The OSGi framework needs nothing more: the agent adds its bootstrap
 * package to the boot delegation itself.
 */
final class StandaloneLiberty {

  private StandaloneLiberty() {}

  /** Starts Liberty with these rules and returns once the WAR answers. */
  static ChildApp start(
      Path javaHome, Path home, String name, Path war, String context, String rulesYaml)
      throws Exception {
    Path userDir = Build.workDirectory("liberty-" + name);
    Path server = Files.createDirectories(userDir.resolve("servers/" + name));
    Files.createDirectories(server.resolve("apps"));
    Files.copy(war, server.resolve("apps/" + context + ".war"));
    int port = ChildApp.freePort();
    Files.writeString(
        server.resolve("server.xml"),
        """
        <server description="fastlimit it-test">
          <featureManager>
            <feature>servlet-6.0</feature>
          </featureManager>
          <httpEndpoint id="defaultHttpEndpoint" host="127.0.0.1" httpPort="%d" httpsPort="-1"/>
          <webApplication location="%s.war" contextRoot="/%s"/>
        </server>
        """
            .formatted(port, context, context),
        StandardCharsets.UTF_8);
    Path rules = Build.rulesFile(name, rulesYaml);
    Files.writeString(
        server.resolve("jvm.options"),
        "-javaagent:" + Build.agentJar() + "=" + rules + "\n",
        StandardCharsets.UTF_8);
    List<String> command = List.of("sh", home.resolve("bin/server").toString(), "run", name);
    Map<String, String> environment =
        Map.of("JAVA_HOME", javaHome.toString(), "WLP_USER_DIR", userDir.toString());
    return AppServers.awaitContexts(
        ChildApp.start(command, environment, userDir, port), List.of(context));
  }
}
