package io.fastlimit.bench.startup;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the agent adds to an application's start (issue 13), measured side by side in one run: JVM
 * launch to the first served request, bare and with the agent, runs alternated; CPU used, RSS and
 * classes loaded at that moment; which classes the agent adds; and how soon {@code attach} limits a
 * running Tomcat under request load. A benchmark, not a test: it prints figures and fails only when
 * something did not work (an app that does not serve, an agent that does not decide).
 *
 * <pre>
 * java -cp bench/target/classes io.fastlimit.bench.startup.StartupCost [runs] [tomcat|spring-boot|classes|attach]...
 * </pre>
 *
 * From the repository root, after {@code mvn -B -q package -DskipTests -pl
 * agent,samples/spring-boot,bench -am}. Tomcat: the newest 10.1 zip in ~/.m2 ({@code
 * -Dtomcat.zip=...} for another).
 */
public final class StartupCost {

  private StartupCost() {}

  public static void main(String[] args) throws Exception {
    int runs = 5;
    List<String> parts = new ArrayList<>();
    for (String arg : args) {
      if (arg.matches("[0-9]+")) {
        runs = Integer.parseInt(arg);
      } else {
        parts.add(arg);
      }
    }
    if (parts.isEmpty()) {
      parts = Arrays.asList("tomcat", "spring-boot", "classes", "attach");
    }
    Path agent = Path.of(System.getProperty("agent.jar", "agent/target/fastlimit-agent.jar"));
    Path boot =
        Path.of(
            System.getProperty("boot.jar", "samples/spring-boot/target/sample-spring-boot.jar"));
    require(agent, "mvn -B -q package -DskipTests -pl agent -am");
    Path work = Files.createTempDirectory("fastlimit-startup-");
    String zipProperty = System.getProperty("tomcat.zip");
    Path zip = zipProperty != null ? Path.of(zipProperty) : TomcatExamples.findZip("10.1");
    if (zip == null) {
      throw new IllegalStateException(
          "no Tomcat 10.1 zip in ~/.m2: mvn dependency:get"
              + " -Dartifact=org.apache.tomcat:tomcat:10.1.59:zip (or -Dtomcat.zip=...)");
    }
    TomcatExamples tomcat = TomcatExamples.unpack(zip, work.resolve("tomcat"));

    System.out.printf(
        "%s, %d cores, load average %s, %d runs each, agent %s%n",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        runs,
        agent);
    for (String part : parts) {
      switch (part) {
        case "tomcat":
          compare(tomcat, agent, work, runs);
          break;
        case "spring-boot":
          require(boot, "mvn -B -q package -DskipTests -pl samples/spring-boot -am");
          compare(new SpringBootSample(boot), agent, work, runs);
          break;
        case "classes":
          ClassesAdded.report(tomcat, agent, work);
          if (Files.isRegularFile(boot)) {
            ClassesAdded.report(new SpringBootSample(boot), agent, work);
          }
          break;
        case "attach":
          AttachUnderLoad.report(tomcat, agent, work, Math.max(3, runs / 2));
          break;
        default:
          throw new IllegalArgumentException(
              "unknown part '" + part + "': tomcat, spring-boot, classes or attach");
      }
    }
    System.out.printf("load average at the end: %s%n", loadAverage());
  }

  /** Alternated bare and agent starts, the order swapped every round; medians and ratios. */
  static void compare(App app, Path agent, Path work, int runs) throws Exception {
    Path rules = work.resolve(app.name().replace(' ', '-') + "-rules.yaml");
    Files.writeString(rules, app.neverReachedRules());
    List<String> withAgent = List.of("-javaagent:" + agent + "=" + rules);
    List<Start> bare = new ArrayList<>();
    List<Start> agentStarts = new ArrayList<>();
    System.out.printf("%n%s: launch to first served request (%s)%n", app.name(), "ms");
    for (int round = 0; round < runs; round++) {
      boolean bareFirst = round % 2 == 0;
      for (int i = 0; i < 2; i++) {
        boolean isBare = (i == 0) == bareFirst;
        Start start = start(app, isBare ? List.of() : withAgent, work, !isBare);
        (isBare ? bare : agentStarts).add(start);
        System.out.printf("  round %d %-5s %s%n", round + 1, isBare ? "bare" : "agent", start);
      }
    }
    Start bareMedian = Start.median(bare);
    Start agentMedian = Start.median(agentStarts);
    System.out.printf("  median bare  %s%n", bareMedian);
    System.out.printf("  median agent %s%n", agentMedian);
    System.out.printf(
        Locale.ROOT,
        "  %s: agent/bare %.2fx launch to first request (+%.0f ms), %.2fx CPU (+%.2f s),"
            + " RSS +%.1f MiB, classes +%d%n",
        app.name(),
        agentMedian.readyMillis / bareMedian.readyMillis,
        agentMedian.readyMillis - bareMedian.readyMillis,
        agentMedian.cpuSeconds / bareMedian.cpuSeconds,
        agentMedian.cpuSeconds - bareMedian.cpuSeconds,
        (agentMedian.rssKib - bareMedian.rssKib) / 1024.0,
        agentMedian.classes - bareMedian.classes);
  }

  static Start start(App app, List<String> agentOptions, Path work, boolean agentDecides)
      throws Exception {
    int port = freePort();
    Path log = work.resolve("app-" + port + ".log");
    try (ChildJvm jvm = ChildJvm.launch(app.command(port, agentOptions), log)) {
      double ready =
          jvm.awaitFirstServed(
              app.firstRequest(port), agentDecides ? "X-RateLimit-Limit" : null, 300);
      double cpu = jvm.cpuSeconds();
      long rss = jvm.rssKib();
      long classes = jvm.loadedClasses();
      return new Start(ready, cpu, rss, classes);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static void require(Path file, String build) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing: build it first (" + build + ")");
    }
  }

  /** One start: launch to first served request, and the JVM's CPU, RSS and classes then. */
  static final class Start {
    final double readyMillis;
    final double cpuSeconds;
    final long rssKib;
    final long classes;

    Start(double readyMillis, double cpuSeconds, long rssKib, long classes) {
      this.readyMillis = readyMillis;
      this.cpuSeconds = cpuSeconds;
      this.rssKib = rssKib;
      this.classes = classes;
    }

    /** Each figure's own median (so the result is not one of the runs). */
    static Start median(List<Start> starts) {
      List<Double> ready = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> rss = new ArrayList<>();
      List<Double> classes = new ArrayList<>();
      for (Start s : starts) {
        ready.add(s.readyMillis);
        cpu.add(s.cpuSeconds);
        rss.add((double) s.rssKib);
        classes.add((double) s.classes);
      }
      return new Start(middle(ready), middle(cpu), (long) middle(rss), (long) middle(classes));
    }

    static double middle(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%8.0f ms  CPU %6.2f s  RSS %6.1f MiB  classes %6d",
          readyMillis,
          cpuSeconds,
          rssKib / 1024.0,
          classes);
    }
  }
}
