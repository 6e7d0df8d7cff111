package io.fastlimit.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Redis the Redis benchmarks run against: by default a private {@code redis-server} on a free
 * loopback port, no persistence, started for one trial and stopped after it, so no benchmark sees
 * another's keys and the shared server on 6379 stays clean. With {@code
 * -Dfastlimit.bench.redis=host:port} (pass it with {@code -jvmArgsAppend}) an already running
 * server is used instead; keys then carry a prefix unique to the trial.
 *
 * <p>Also reads {@code INFO commandstats} (over a raw socket, no client library involved) so a
 * benchmark can say how many Redis commands one call cost and prove each call reached Redis.
 */
final class LocalRedis implements AutoCloseable {

  static final String EXTERNAL_PROPERTY = "fastlimit.bench.redis";

  private final String host;
  private final int port;
  private final Process process; // null for an external server
  private final Path log;
  private final String keyPrefix;

  private LocalRedis(String host, int port, Process process, Path log) {
    this.host = host;
    this.port = port;
    this.process = process;
    this.log = log;
    this.keyPrefix = "fastlimit-bench:" + Long.toHexString(System.nanoTime()) + ":";
  }

  /** Starts a private redis-server, or attaches to the external one; fails loudly otherwise. */
  static LocalRedis start() {
    String external = System.getProperty(EXTERNAL_PROPERTY);
    if (external != null && !external.isEmpty()) {
      int colon = external.lastIndexOf(':');
      LocalRedis redis =
          new LocalRedis(
              external.substring(0, colon),
              Integer.parseInt(external.substring(colon + 1)),
              null,
              null);
      redis.awaitPong(null);
      return redis;
    }
    int port = freePort();
    Path log;
    Process process;
    try {
      log = Files.createTempFile("fastlimit-bench-redis-" + port + "-", ".log");
      process =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  log.getParent().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start redis-server (is it installed and on the PATH?), or point the benchmark"
              + " at a running server with -jvmArgsAppend -D"
              + EXTERNAL_PROPERTY
              + "=127.0.0.1:6379: "
              + e,
          e);
    }
    LocalRedis redis = new LocalRedis("127.0.0.1", port, process, log);
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    redis.awaitPong(process);
    String version = redis.info("server").getOrDefault("redis_version", "?");
    System.out.println(
        "\n# redis-server " + version + " started on 127.0.0.1:" + port + " (log " + log + ")");
    return redis;
  }

  String uri() {
    return "redis://" + host + ":" + port;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  /** A key of this trial: unique on an external server, so nothing collides with other users. */
  String key(String name) {
    return keyPrefix + name;
  }

  /**
   * Calls per command (lower case, e.g. "evalsha") since the server started, and the microseconds
   * Redis spent in it under the name plus {@link #USEC}.
   */
  Map<String, Long> commandCalls() {
    Map<String, Long> calls = new HashMap<>();
    for (Map.Entry<String, String> entry : info("commandstats").entrySet()) {
      // cmdstat_evalsha:calls=12,usec=34,...
      String name = entry.getKey();
      if (!name.startsWith("cmdstat_")) {
        continue;
      }
      calls.put(name.substring(8), field(entry.getValue(), "calls="));
      calls.put(name.substring(8) + USEC, field(entry.getValue(), "usec="));
    }
    calls.put(MAIN_THREAD_CPU, mainThreadCpuMicros());
    return calls;
  }

  /**
   * The entry of {@link #commandCalls} holding the CPU time of Redis's main thread (user + system)
   * in microseconds: all a call costs the server (the socket, parsing, the command, the reply),
   * where a command's {@code usec} counts only its execution.
   */
  static final String MAIN_THREAD_CPU = "main-thread-cpu" + ".usec";

  private long mainThreadCpuMicros() {
    Map<String, String> cpu = info("cpu");
    String sys = cpu.getOrDefault("used_cpu_sys_main_thread", cpu.get("used_cpu_sys"));
    String user = cpu.getOrDefault("used_cpu_user_main_thread", cpu.get("used_cpu_user"));
    return Math.round((Double.parseDouble(sys) + Double.parseDouble(user)) * 1_000_000);
  }

  /** Microseconds of Redis main-thread CPU per call between the two snapshots. */
  static String mainThreadMicros(Map<String, Long> before, Map<String, Long> after, long calls) {
    return calls == 0
        ? "-"
        : String.format(
            java.util.Locale.ROOT, "%.2f", delta(before, after, MAIN_THREAD_CPU) / (double) calls);
  }

  /** Suffix of the entries of {@link #commandCalls} holding a command's total server time. */
  static final String USEC = ".usec";

  private static long field(String value, String name) {
    int start = value.indexOf(name) + name.length();
    int end = value.indexOf(',', start);
    return Long.parseLong(end < 0 ? value.substring(start) : value.substring(start, end));
  }

  /** {@code after - before} per command, zero-free, e.g. "evalsha=1.00 get=0.00" per call. */
  static String perCall(Map<String, Long> before, Map<String, Long> after, long calls) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Long> entry : new java.util.TreeMap<>(after).entrySet()) {
      long delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
      if (delta > 0 && !entry.getKey().equals("info") && !entry.getKey().endsWith(USEC)) {
        out.append(' ')
            .append(entry.getKey())
            .append('=')
            .append(String.format(java.util.Locale.ROOT, "%.3f", delta / (double) calls));
      }
    }
    return out.toString().trim();
  }

  /** Microseconds of server time per call of {@code command} between the two snapshots. */
  static String serverMicros(Map<String, Long> before, Map<String, Long> after, String command) {
    long calls = delta(before, after, command);
    return calls == 0
        ? "-"
        : String.format(
            java.util.Locale.ROOT, "%.2f", delta(before, after, command + USEC) / (double) calls);
  }

  static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
    return after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // a temp file left behind
    }
  }

  // ---- a minimal RESP client: PING and INFO only

  private void awaitPong(Process started) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (started != null && !started.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited with " + started.exitValue() + " at start: " + readLog());
      }
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (started != null) {
      started.destroyForcibly();
    }
    throw new IllegalStateException(
        "Redis on "
            + host
            + ":"
            + port
            + " did not answer PING within 10 s: "
            + last
            + (started != null ? "; log: " + readLog() : ""));
  }

  private Map<String, String> info(String section) {
    String text;
    try {
      text = command("INFO", section);
    } catch (IOException e) {
      throw new IllegalStateException("INFO " + section + " failed on " + uri() + ": " + e, e);
    }
    Map<String, String> fields = new HashMap<>();
    for (String line : text.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  /** One command; returns a simple or bulk string reply. */
  private String command(String... words) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      socket.setSoTimeout(2_000);
      StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
      for (String word : words) {
        request.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String head = line(in);
      if (head.startsWith("+")) {
        return head.substring(1);
      }
      if (head.startsWith("$")) {
        int length = Integer.parseInt(head.substring(1));
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
      }
      throw new IOException("unexpected reply to " + words[0] + ": " + head);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private String readLog() {
    try {
      return log == null ? "" : Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port for redis-server: " + e, e);
    }
  }
}
