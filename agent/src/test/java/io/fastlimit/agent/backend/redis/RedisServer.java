package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.redisfixture.TestRedis;
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
 * A {@code redis-server} of the test's own on a free port, without persistence, that a test can
 * kill and start again on the same port. (No Docker engine is assumed: the Debian package {@code
 * redis-server} is enough; without it the Redis tests are skipped, saying why.)
 */
final class RedisServer implements AutoCloseable {

  private final int port;
  private final List<String> extraArgs;
  private final Path dir;
  private final boolean tls;
  private Process process;

  private RedisServer(int port, List<String> extraArgs) throws IOException {
    this(port, extraArgs, false);
  }

  private RedisServer(int port, List<String> extraArgs, boolean tls) throws IOException {
    this.port = port;
    this.extraArgs = extraArgs;
    this.tls = tls;
    this.dir = Files.createTempDirectory("fastlimit-redis-" + port);
  }

  /**
   * A server that speaks TLS only, on a free port, with the server certificate of {@code certs};
   * with {@code clientCertificates} it accepts only clients whose certificate the CA signed.
   */
  static RedisServer startTls(TestCertificates certs, boolean clientCertificates)
      throws IOException {
    return startTls(certs, clientCertificates, List.of());
  }

  /** As {@link #startTls(TestCertificates, boolean)}, with more arguments for redis-server. */
  static RedisServer startTls(
      TestCertificates certs, boolean clientCertificates, List<String> moreArgs)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--tls-cert-file",
                certs.serverCert().toString(),
                "--tls-key-file",
                certs.serverKey().toString(),
                "--tls-ca-cert-file",
                certs.caCert().toString(),
                "--tls-auth-clients",
                clientCertificates ? "yes" : "no"));
    args.addAll(moreArgs);
    return startedOnAFreePort(port -> new RedisServer(port, args, true));
  }

  /** Starts a plain server on a free port. */
  static RedisServer start() throws IOException {
    return start(List.of());
  }

  static RedisServer start(List<String> extraArgs) throws IOException {
    return startedOnAFreePort(port -> new RedisServer(port, extraArgs));
  }

  /** A server not started yet, on a given port. */
  private interface OnPort {
    RedisServer on(int port) throws IOException;
  }

  /** A server whose port another process bound first: it exited at once. */
  private static final class PortTaken extends IOException {
    PortTaken(String message) {
      super(message);
    }
  }

  /**
   * Started on a free port, and on another if a process beside this JVM (a second build's tests)
   * bound that port between {@link #freePort()} and the server's own bind.
   */
  private static RedisServer startedOnAFreePort(OnPort make) throws IOException {
    PortTaken taken = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RedisServer server = make.on(freePort());
      try {
        server.restart();
        return server;
      } catch (PortTaken e) {
        taken = e;
      }
    }
    throw taken;
  }

  /** A server that is not running yet, on a port nobody listens on. */
  /**
   * Three cluster-enabled masters (started with {@code extraArgs} as well) joined into one cluster
   * by {@code redis-cli --cluster create}, no replicas; returns once every node says {@code
   * cluster_state:ok}.
   */
  static List<RedisServer> startCluster(List<String> extraArgs) throws Exception {
    List<String> command = new ArrayList<>(List.of(cli(), "--cluster", "create"));
    List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes"));
    args.addAll(extraArgs);
    List<RedisServer> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RedisServer node = start(args);
      nodes.add(node);
      command.add("127.0.0.1:" + node.port());
    }
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(create.getInputStream().readAllBytes());
    assertThat(create.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(create.exitValue()).as(output).isZero();
    for (RedisServer node : nodes) {
      node.awaitClusterOk();
    }
    return nodes;
  }

  /** Waits until this node says the cluster is ok (20 s at most). */
  void awaitClusterOk() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Process info =
          new ProcessBuilder(cli(), "-p", Integer.toString(port), "cluster", "info")
              .redirectErrorStream(true)
              .start();
      String text = new String(info.getInputStream().readAllBytes());
      info.waitFor();
      if (text.contains("cluster_state:ok")) {
        return;
      }
      assertThat(System.nanoTime()).as("cluster ok: " + text).isLessThan(deadline);
      sleep(100);
    }
  }

  static RedisServer notStarted() throws IOException {
    return notStartedOn(freePort());
  }

  /** A plain server that is not running yet, on {@code port}. */
  static RedisServer notStartedOn(int port) throws IOException {
    return new RedisServer(port, List.of());
  }

  /**
   * A plain Lettuce client for inspecting the server (without SLF4J, which the agent leaves out).
   */
  static io.lettuce.core.RedisClient client(String uri) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
    client.setOptions(
        io.lettuce.core.ClientOptions.builder()
            .maintNotificationsConfig(io.lettuce.core.MaintNotificationsConfig.disabled())
            .build());
    return client;
  }

  /**
   * Loads {@code giveback.lua} into the server at {@code uri}, as after the agent's first EVAL: a
   * give-back (or a window counter's take-back) is then one EVALSHA on the backend's connection,
   * answered before the next command sent on it, so a test reads its effect at once.
   */
  static void loadGiveBack(String uri) {
    io.lettuce.core.RedisClient client = client(uri);
    try (var connection = client.connect()) {
      connection.sync().scriptLoad(GiveBackScript.TEXT);
    } finally {
      client.shutdown();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
  }

  /** Starts the server (again) on its port and waits until it answers PING. */
  void restart() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(executable());
    command.add("--port");
    command.add(tls ? "0" : Integer.toString(port));
    if (tls) {
      command.add("--tls-port");
      command.add(Integer.toString(port));
    }
    command.add("--bind");
    command.add("127.0.0.1");
    command.add("--save");
    command.add("");
    command.add("--appendonly");
    command.add("no");
    command.add("--dir");
    command.add(dir.toString());
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // ready by this server's own log (a fresh file per start), not only by an answer on the port:
    // another process's server on the same port answers too
    while (!logSays("Ready to accept connections") || !(tls || answersPing())) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        String log = Files.readString(dir.resolve("redis.log"));
        if (log.contains("Failed finding TLS support")) {
          // a build of redis-server made with BUILD_TLS=no (the Debian package has TLS)
          Assumptions.abort(executable() + " has no TLS support (built without BUILD_TLS=yes)");
        }
        String message = "redis-server did not start on port " + port + ": " + log;
        throw log.contains("Address already in use")
            ? new PortTaken(message)
            : new IOException(message);
      }
      sleep(20);
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung host. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a paused server run again (SIGCONT). */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  @Override
  public void close() {
    kill(); // SIGKILL ends a stopped process too
  }

  private boolean logSays(String text) throws IOException {
    Path log = dir.resolve("redis.log");
    return Files.exists(log) && Files.readString(log).contains(text);
  }

  /** The reply of redis-cli to a command, for servers without TLS. */
  String cli(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(cli(), "-p", Integer.toString(port)));
    line.addAll(List.of(command));
    Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
    String reply = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    run.waitFor(10, TimeUnit.SECONDS);
    return reply.trim();
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[5];
      int read = in.readNBytes(reply, 0, 5);
      String answer = new String(reply, 0, Math.max(0, read), StandardCharsets.US_ASCII);
      // a server with a password answers, refusing
      return answer.equals("+PONG") || answer.equals("-NOAU");
    } catch (IOException e) {
      return false;
    }
  }

  /** The {@code redis-server} the tests start: the first on the PATH, else the Debian package's. */
  static String executable() {
    String found = TestRedis.executable("redis-server");
    if (found == null) {
      Assumptions.abort("redis-server is not installed (apt-get install redis-server)");
    }
    return found;
  }

  static String cli() {
    String found = TestRedis.executable("redis-cli");
    if (found == null) {
      Assumptions.abort("redis-cli is not installed (apt-get install redis-tools)");
    }
    return found;
  }

  /** How many times {@code command} ran since the last CONFIG RESETSTAT (INFO commandstats). */
  static long calls(io.lettuce.core.api.sync.RedisCommands<String, String> redis, String command) {
    String stats = redis.info("commandstats");
    String name = "cmdstat_" + command + ":calls=";
    int at = stats.indexOf(name);
    if (at < 0) {
      return 0;
    }
    int from = at + name.length();
    int to = from;
    while (Character.isDigit(stats.charAt(to))) {
      to++;
    }
    return Long.parseLong(stats.substring(from, to));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
