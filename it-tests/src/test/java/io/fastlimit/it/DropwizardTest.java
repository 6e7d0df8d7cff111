package io.fastlimit.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Dropwizard 5 service (Jersey as a servlet on its Jetty 12) started as Dropwizard services are,
 * {@code java -javaagent:... -jar app.jar server config.yml}, with its simple server (application
 * and admin on one connector).
 */
class DropwizardTest extends LimitedAppContract {

  @Override
  String limitedPrefix() {
    return "/api/hello";
  }

  @Override
  String statsPath() {
    return "/stats";
  }

  @Override
  String greeting(String name) {
    return "hello from dropwizard " + name;
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    Path work = Build.workDirectory("dropwizard");
    int port = ChildApp.freePort();
    Path config = work.resolve("config.yml");
    Files.writeString(
        config,
        """
        server:
          type: simple
          applicationContextPath: /
          adminContextPath: /admin
          connector:
            type: http
            bindHost: 127.0.0.1
            port: %d
        logging:
          level: WARN
        """
            .formatted(port),
        StandardCharsets.UTF_8);
    List<String> command =
        List.of(
            AppServers.java(javaHome()).toString(),
            "-Xmx256m",
            "-javaagent:" + Build.agentJar() + "=" + Build.rulesFile("dropwizard", rulesYaml),
            "-jar",
            Build.dropwizardSample().toString(),
            "server",
            config.toString());
    return ChildApp.start(command, Map.of(), work, port);
  }
}
