package io.fastlimit.redisfixture;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis of the test's own, without persistence: in a container started by Testcontainers when a
 * Docker daemon answers, else a {@code redis-server} process on a free loopback port (the Debian
 * package {@code redis-server}; CI here has no Docker daemon, so this is what runs there). With
 * neither, the test is skipped, saying why.
 *
 * <p>{@code -Dfastlimit.test.redis=local} or {@code =docker} picks one instead of looking; {@code
 * -Dfastlimit.test.redis.image} names the image (default {@value #DEFAULT_IMAGE}).
 *
 * <p>For a server the test kills, freezes or starts as a cluster node, with TLS or a sentinel,
 * tests start their own {@code redis-server} process (the agent module's {@code RedisServer}).
 */
public final class TestRedis implements AutoCloseable {

  /** The image Testcontainers runs. */
  public static final String DEFAULT_IMAGE = "redis:7.4-alpine";

  private static final String CHOICE = "fastlimit.test.redis";

  private static volatile String dockerHost; // "" once looked and none answered

  private final String host;
  private final int port;
  private final String description;
  private final AutoCloseable running;
  private final Cli cli;

  /** Runs redis-cli with these arguments against the server; returns its output. */
  interface Cli {
    String run(List<String> arguments) throws IOException, InterruptedException;
  }

  private TestRedis(String host, int port, String description, AutoCloseable running, Cli cli) {
    this.host = host;
    this.port = port;
    this.description = description;
    this.running = running;
    this.cli = cli;
  }

  /** Starts a Redis: in a container when a Docker daemon answers, else a local process. */
  public static TestRedis start() {
    String choice = System.getProperty(CHOICE, "");
    if (choice.equals("docker") || (!choice.equals("local") && dockerAnswers())) {
      return ContainerRedis.start(System.getProperty(CHOICE + ".image", DEFAULT_IMAGE));
    }
    return startLocal();
  }

  /** Whether a Docker daemon answered; asked once per JVM, quickly and quietly. */
  public static boolean dockerAnswers() {
    String known = dockerHost;
    if (known == null) {
      String found = DockerDaemon.answering();
      known = found == null ? "" : found;
      dockerHost = known;
    }
    return !known.isEmpty();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code redis://host:port}. */
  public String uri() {
    return "redis://" + host + ":" + port;
  }

  /** How this Redis runs, for test output: the container's image or the local process. */
  public String description() {
    return description;
  }

  /** The output of {@code redis-cli} with these arguments, run against this server. */
  public String cli(String... arguments) throws IOException, InterruptedException {
    return cli.run(List.of(arguments)).trim();
  }

  @Override
  public void close() {
    try {
      running.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping " + description + " failed: " + e, e);
    }
  }

  /**
   * Skips the test when what it needs is missing, except under CI ({@code CI} set, as {@code
   * .ci/run} runs), where a missing Redis fails it: CI installs Redis, so a skip there would hide a
   * broken machine instead of testing.
   */
  private static void required(boolean present, String missing) {
    if (!present && System.getenv("CI") != null) {
      throw new IllegalStateException(missing + " (CI is set: failing instead of skipping)");
    }
    Assumptions.assumeTrue(present, missing);
  }

  // ---- a local redis-server

  private static TestRedis startLocal() {
    String server = executable("redis-server");
    required(
        server != null,
        "no Docker daemon answers and redis-server is not installed (apt-get install"
            + " redis-server)");
    // another process (a second build's tests beside this one) may bind the free port first
    for (int attempt = 1; ; attempt++) {
      TestRedis started = startLocal(server, freePort(), attempt == 5);
      if (started != null) {
        return started;
      }
    }
  }

  /** A server on {@code port}; null when another process had bound it (unless {@code last}). */
  private static TestRedis startLocal(String server, int port, boolean last) {
    Path dir;
    Process process;
    try {
      dir = Files.createTempDirectory("fastlimit-redis-" + port);
      process =
          new ProcessBuilder(
                  server,
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + server + ": " + e, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // ready by this server's own log, not only by an answer on the port: another process's
    // server on the same port answers too
    while (!read(dir.resolve("redis.log")).contains("Ready to accept connections")
        || !answersPing(port)) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        process.destroyForcibly();
        String log = read(dir.resolve("redis.log"));
        if (!last && log.contains("Address already in use")) {
          return null;
        }
        throw new IllegalStateException("redis-server did not start on port " + port + ": " + log);
      }
      sleep(20);
    }
    AutoCloseable stop =
        () -> {
          process.destroy();
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        };
    Cli cli =
        arguments -> {
          String redisCli = executable("redis-cli");
          required(redisCli != null, "redis-cli is not installed (redis-tools)");
          List<String> line = new ArrayList<>(List.of(redisCli, "-p", Integer.toString(port)));
          line.addAll(arguments);
          Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
          String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          run.waitFor(10, TimeUnit.SECONDS);
          return output;
        };
    return new TestRedis("127.0.0.1", port, "local redis-server on 127.0.0.1:" + port, stop, cli);
  }

  /** Testcontainers' classes, loaded only when a daemon answered. */
  private static final class ContainerRedis {
    static TestRedis start(String image) {
      org.testcontainers.containers.GenericContainer<?> container =
          new org.testcontainers.containers.GenericContainer<>(
                  org.testcontainers.utility.DockerImageName.parse(image))
              .withExposedPorts(6379)
              .withCommand("redis-server", "--save", "", "--appendonly", "no");
      container.start();
      Cli cli =
          arguments -> {
            List<String> line = new ArrayList<>(List.of("redis-cli"));
            line.addAll(arguments);
            org.testcontainers.containers.Container.ExecResult result =
                container.execInContainer(line.toArray(new String[0]));
            return result.getStdout() + result.getStderr();
          };
      return new TestRedis(
          container.getHost(),
          container.getMappedPort(6379),
          "Testcontainers " + image,
          container::stop,
          cli);
    }
  }

  /**
   * The Redis tool {@code name} (redis-server, redis-cli) in the first PATH directory that has it,
   * as a shell finds it (so {@code PATH=/some/redis/src:$PATH} tests another Redis build), else in
   * /usr/bin or /usr/local/bin; null when there is none.
   */
  public static String executable(String name) {
    List<String> dirs =
        new ArrayList<>(
            List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      File candidate = new File(dir, name);
      if (!dir.isEmpty() && candidate.isFile() && candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    return null;
  }

  private static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(5);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port: " + e, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
