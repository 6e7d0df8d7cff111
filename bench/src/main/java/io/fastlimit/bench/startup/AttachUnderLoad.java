package io.fastlimit.bench.startup;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar fastlimit-agent.jar attach <pid> rules.yaml} against a running Tomcat that two
 * client threads keep busy: the time from launching the command to the first 429 the clients see
 * (the goal: within 2 s), and to the command's exit.
 */
final class AttachUnderLoad {

  private static final int CLIENTS = 2;

  private AttachUnderLoad() {}

  static void report(TomcatExamples tomcat, Path agent, Path work, int runs) throws Exception {
    Path rules = work.resolve("attach-rules.yaml");
    Files.writeString(rules, TomcatExamples.blockingRules());
    List<Double> limiting = new ArrayList<>();
    List<Double> exited = new ArrayList<>();
    System.out.printf(
        "%n%s: attach under load (%d clients looping on %s)%n",
        tomcat.name(), CLIENTS, TomcatExamples.SERVLET);
    for (int run = 1; run <= runs; run++) {
      double[] result = once(tomcat, agent, rules, work);
      exited.add(result[0]);
      limiting.add(result[1]);
      System.out.printf(
          Locale.ROOT,
          "  run %d: first 429 %.2f s after the command started; the command exited after %.2f s"
              + " (%,.0f requests/s before)%n",
          run,
          result[1],
          result[0],
          result[2]);
    }
    System.out.printf(
        Locale.ROOT,
        "  median: limiting %.2f s after the command, command done in %.2f s%n",
        StartupCost.Start.middle(limiting),
        StartupCost.Start.middle(exited));
  }

  /** Seconds to the command's exit, seconds to the first 429, requests per second before. */
  private static double[] once(TomcatExamples tomcat, Path agent, Path rules, Path work)
      throws Exception {
    int port = StartupCost.freePort();
    String url = tomcat.firstRequest(port);
    try (ChildJvm jvm =
        ChildJvm.launch(tomcat.command(port, List.of()), work.resolve("attach-" + port + ".log"))) {
      jvm.awaitFirstServed(url, null, 300);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong firstBlocked = new AtomicLong();
      AtomicLong served = new AtomicLong();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread client = new Thread(() -> load(url, stop, firstBlocked, served), "client-" + i);
        client.setDaemon(true);
        client.start();
        clients.add(client);
      }
      Thread.sleep(3000); // the clients and Tomcat's JIT warm up
      long before = served.get();
      Thread.sleep(1000);
      double rate = served.get() - before;
      long started = System.nanoTime();
      Process attach =
          new ProcessBuilder(
                  ChildJvm.java(),
                  "-jar",
                  agent.toString(),
                  "attach",
                  Long.toString(jvm.process.pid()),
                  rules.toString())
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("attach-command-" + port + ".log").toFile())
              .start();
      if (!attach.waitFor(120, TimeUnit.SECONDS) || attach.exitValue() != 0) {
        throw new IllegalStateException(
            "attach failed: see " + work.resolve("attach-command-" + port + ".log"));
      }
      double exited = (System.nanoTime() - started) / 1e9;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (firstBlocked.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      stop.set(true);
      for (Thread client : clients) {
        client.join(10_000);
      }
      if (firstBlocked.get() == 0) {
        throw new IllegalStateException("no 429 within 120 s of attach");
      }
      return new double[] {exited, (firstBlocked.get() - started) / 1e9, rate};
    }
  }

  private static void load(
      String url, AtomicBoolean stop, AtomicLong firstBlocked, AtomicLong served) {
    while (!stop.get()) {
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(10_000);
        int status = connection.getResponseCode();
        long now = System.nanoTime();
        (status >= 400 ? connection.getErrorStream() : connection.getInputStream()).readAllBytes();
        if (status == 429) {
          firstBlocked.compareAndSet(0, now);
        }
        served.incrementAndGet();
      } catch (Exception e) {
        // keep loading: a failed request is not what is measured
      }
    }
  }
}
