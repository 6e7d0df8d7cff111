package io.fastlimit.bench.startup;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One application JVM started by the benchmark: launched, polled until it serves, measured,
 * stopped.
 */
final class ChildJvm implements AutoCloseable {

  private static final long CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

  final Process process;
  final long launchedNanos;

  private ChildJvm(Process process, long launchedNanos) {
    this.process = process;
    this.launchedNanos = launchedNanos;
  }

  static ChildJvm launch(List<String> command, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    long launched = System.nanoTime();
    return new ChildJvm(builder.start(), launched);
  }

  /**
   * Polls {@code url} every 5 ms until it answers 2xx; returns the milliseconds from launch to that
   * answer. {@code expectedHeader}, when not null, must be in that answer (the agent decided it).
   */
  double awaitFirstServed(String url, String expectedHeader, long timeoutSeconds)
      throws IOException, InterruptedException {
    long deadline = launchedNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "the application exited with " + process.exitValue() + " before serving");
      }
      HttpURLConnection connection = null;
      try {
        connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(30_000);
        int status = connection.getResponseCode();
        if (status >= 200 && status < 300) {
          double millis = (System.nanoTime() - launchedNanos) / 1e6;
          connection.getInputStream().readAllBytes();
          if (expectedHeader != null && connection.getHeaderField(expectedHeader) == null) {
            throw new IOException(
                url + " answered without " + expectedHeader + ": is the agent on?");
          }
          return millis;
        }
      } catch (IOException notYet) {
        // not listening yet
      } finally {
        if (connection != null) {
          connection.disconnect();
        }
      }
      Thread.sleep(5);
    }
    throw new IOException(url + " did not answer within " + timeoutSeconds + " s");
  }

  /** Resident set size in KiB (VmRSS). */
  long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + process.pid());
  }

  /** CPU seconds (user + system, every thread) the JVM used so far. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based)
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12]))
        / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** Classes loaded so far, from the JVM's own counter (jcmd PerfCounter.print). */
  long loadedClasses() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "PerfCounter.print")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\n")) {
      if (line.startsWith("java.cls.loadedClasses=")) {
        return Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
      }
    }
    return -1;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static List<String> list(String... items) {
    List<String> out = new ArrayList<>();
    for (String item : items) {
      out.add(item);
    }
    return out;
  }
}
