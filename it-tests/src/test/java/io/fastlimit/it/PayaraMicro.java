package io.fastlimit.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Payara Micro from Maven Central, run as its users run it: {@code java -javaagent:... -jar
 * payara-micro.jar --deploy app.war}, without clustering, its unpacked runtime in a fresh root
 * directory.
 */
final class PayaraMicro {

  private PayaraMicro() {}

  /** Starts Payara Micro with these rules and returns once the WAR answers. */
  static ChildApp start(
      Path javaHome, Path payaraJar, String name, Path war, String context, String rulesYaml)
      throws Exception {
    Path work = Build.workDirectory("payara-" + name);
    Path deployed = work.resolve(context + ".war");
    Files.copy(war, deployed);
    Path rules = Build.rulesFile(name, rulesYaml);
    int port = ChildApp.freePort();
    List<String> command =
        List.of(
            AppServers.java(javaHome).toString(),
            "-Xmx512m",
            "-javaagent:" + Build.agentJar() + "=" + rules,
            "-jar",
            payaraJar.toString(),
            "--nocluster",
            "--nohazelcast",
            "--rootdir",
            work.resolve("root").toString(),
            "--port",
            Integer.toString(port),
            "--deploy",
            deployed.toString());
    return AppServers.awaitContexts(
        ChildApp.start(command, Map.of(), work, port), List.of(context));
  }
}
