package io.fastlimit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the launchers of standalone servers share: the JVM to run, setup commands, deployments. */
final class AppServers {

  // guards, not timings: a WildFly start with three WARs takes tens of seconds on a loaded machine
  private static final long SETUP_GUARD_SECONDS = 180;
  private static final long DEPLOY_GUARD_NANOS = 240_000_000_000L;

  private AppServers() {}

  /**
   * The Java home the matrix runs its servers on: {@code -Dfastlimit.matrix.java.home} (a JDK 25,
   * say), else the JVM running the tests.
   */
  static Path javaHome() {
    String chosen = System.getProperty("fastlimit.matrix.java.home", "");
    return chosen.isBlank()
        ? Paths.get(System.getProperty("java.home"))
        : Paths.get(chosen).toAbsolutePath();
  }

  static Path java(Path javaHome) {
    return javaHome.resolve("bin/java");
  }

  /** Runs a setup command (a server's own configuration tool) and fails with its output. */
  static void run(List<String> command, Path directory) throws IOException, InterruptedException {
    Path log = Files.createTempFile(directory, "setup-", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(SETUP_GUARD_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish:\n" + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          command
              + " exited with "
              + process.exitValue()
              + ":\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  /**
   * Waits until the WAR at each context answers its /stats; closes the server if one never does.
   */
  static ChildApp awaitContexts(ChildApp server, List<String> contexts) throws Exception {
    try {
      long deadline = System.nanoTime() + DEPLOY_GUARD_NANOS;
      for (String context : contexts) {
        HttpResult last = null;
        while (last == null || last.status() != 200) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError(
                "the WAR at /"
                    + context
                    + " was not deployed: "
                    + last
                    + "\n"
                    + server.diagnostics());
          }
          try {
            last = server.get("/" + context + "/stats");
          } catch (IOException notYetListening) {
            last = null;
          }
          if (last == null || last.status() != 200) {
            Thread.sleep(200);
          }
        }
      }
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }
}
