package io.fastlimit.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application in a child JVM (or a container started by its own scripts), its output in a file,
 * stopped on close. It is ready when its output shows the port it listens on.
 */
final class ChildApp implements AutoCloseable {

  // guards, not timings: a Spring Boot start took 50-77 s on a 2-core machine running other builds
  private static final Duration STARTUP_GUARD = Duration.ofSeconds(240);
  private static final Duration OUTPUT_GUARD = Duration.ofSeconds(60);

  private static final Pattern LISTENING = Pattern.compile("listening on http://localhost:(\\d+)/");

  private final Process process;
  private final Path log;
  private final int port;

  private ChildApp(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts an embedded sample app jar with the agent attached using the given agent argument. */
  static ChildApp sample(Path appJar, String agentArgument, String... jvmOptions)
      throws IOException, InterruptedException {
    return sample(appJar, agentArgument, Map.of(), jvmOptions);
  }

  /** Like {@link #sample(Path, String, String...)} with extra environment variables. */
  static ChildApp sample(
      Path appJar, String agentArgument, Map<String, String> environment, String... jvmOptions)
      throws IOException, InterruptedException {
    return sampleOn(Build.javaHome(), appJar, agentArgument, environment, jvmOptions);
  }

  /** Like {@link #sample(Path, String, String...)}, run by the JDK at {@code javaHome}. */
  static ChildApp sampleOn(Path javaHome, Path appJar, String agentArgument, String... jvmOptions)
      throws IOException, InterruptedException {
    return sampleOn(javaHome, appJar, agentArgument, Map.of(), jvmOptions);
  }

  private static ChildApp sampleOn(
      Path javaHome,
      Path appJar,
      String agentArgument,
      Map<String, String> environment,
      String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(AppServers.java(javaHome).toString());
    command.add("-Xmx256m");
    if (agentArgument != null) {
      command.add(
          "-javaagent:" + Build.agentJar() + (agentArgument.isEmpty() ? "" : "=" + agentArgument));
    }
    command.addAll(List.of(jvmOptions));
    command.add("-jar");
    command.add(appJar.toString());
    command.add("0");
    return start(command, environment, Build.workDirectory("app"), null);
  }

  /**
   * Starts a process and waits until its output names its port, or, when {@code knownPort} is
   * given, until the port answers.
   */
  static ChildApp start(
      List<String> command, Map<String, String> environment, Path directory, Integer knownPort)
      throws IOException, InterruptedException {
    Path log = directory.resolve("output.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    long deadline = System.nanoTime() + STARTUP_GUARD.toNanos();
    while (System.nanoTime() < deadline) {
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (knownPort == null) {
        Matcher matcher = LISTENING.matcher(output);
        if (matcher.find()) {
          return new ChildApp(process, log, Integer.parseInt(matcher.group(1)));
        }
      } else if (answers(knownPort)) {
        return new ChildApp(process, log, knownPort);
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the app exited early:\n" + output);
      }
      Thread.sleep(100);
    }
    String threads = ThreadDump.of(process, directory);
    process.destroyForcibly();
    throw new IllegalStateException(
        "the app did not start within "
            + STARTUP_GUARD.toSeconds()
            + " s:\n"
            + Files.readString(log, StandardCharsets.UTF_8)
            + "\n"
            + threads);
  }

  private static boolean answers(int port) {
    try {
      new java.net.Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
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

  long pid() {
    return process.pid();
  }

  /** Waits until the output contains {@code text}; fails after the guard with the output. */
  void awaitOutput(String text) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + OUTPUT_GUARD.toNanos();
    while (System.nanoTime() < deadline) {
      if (output().contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no '"
            + text
            + "' in the output within "
            + OUTPUT_GUARD.toSeconds()
            + " s:\n"
            + diagnostics());
  }

  /**
   * What a wait on the app that timed out reports: its output and where its threads are (a thread
   * dump, its file named, the agent's threads in the text).
   */
  String diagnostics() throws IOException {
    String threads = ThreadDump.of(process, log.getParent());
    return output() + "\n" + threads;
  }

  /** Everything the app printed so far, stdout and stderr together. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  HttpResult get(String target, String... headers) throws IOException {
    return RawHttp.get(port, target, headers);
  }

  HttpResult post(String target, String body, String... headers) throws IOException {
    return RawHttp.post(port, target, body, headers);
  }

  @Override
  public void close() throws IOException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
