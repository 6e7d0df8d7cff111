package io.fastlimit.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts samples/quarkus (Quarkus's fast jar) with the agent on a free port. */
final class QuarkusApp {

  private QuarkusApp() {}

  static ChildApp start(Path rules) throws Exception {
    return start(Build.javaHome(), rules);
  }

  /** As {@link #start(Path)}, run by the JDK at {@code javaHome}. */
  static ChildApp start(Path javaHome, Path rules) throws Exception {
    int port = ChildApp.freePort();
    List<String> command =
        List.of(
            AppServers.java(javaHome).toString(),
            "-Xmx256m",
            "-javaagent:" + Build.agentJar() + "=" + rules,
            "-Dquarkus.http.port=" + port,
            "-jar",
            Build.quarkusSample().toString());
    return ChildApp.start(command, Map.of(), Build.workDirectory("quarkus"), port);
  }
}
