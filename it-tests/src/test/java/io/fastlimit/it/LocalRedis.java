package io.fastlimit.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a free port, without persistence (.ci/run installs the Debian
 * package; without it the Redis it-tests are skipped, saying why).
 */
final class LocalRedis implements AutoCloseable {

  private final Process process;
  private final int port;

  private LocalRedis(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static LocalRedis start() throws IOException, InterruptedException {
    assumeTrue(onPath("redis-server"), "redis-server is not installed (.ci/run installs it)");
    int port = ChildApp.freePort();
    Process process =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(Build.workDirectory("redis").resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        new java.net.Socket("127.0.0.1", port).close();
        return new LocalRedis(process, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Runs redis-cli against this server and returns its output. */
  String cli(String... command) throws IOException, InterruptedException {
    java.util.List<String> args =
        new java.util.ArrayList<>(java.util.List.of("redis-cli", "-p", Integer.toString(port)));
    args.addAll(java.util.List.of(command));
    Process cli = new ProcessBuilder(args).redirectErrorStream(true).start();
    String output = new String(cli.getInputStream().readAllBytes()).trim();
    cli.waitFor(10, TimeUnit.SECONDS);
    return output;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, command).canExecute()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
