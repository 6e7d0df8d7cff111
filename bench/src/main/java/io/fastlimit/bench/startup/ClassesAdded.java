package io.fastlimit.bench.startup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which classes the agent adds to a start, by package: one bare and one agent start with {@code
 * -Xlog:class+load}, up to the first served request, and the difference of the two sets of class
 * names. (Not timed: logging every class slows the start.)
 */
final class ClassesAdded {

  private ClassesAdded() {}

  static void report(App app, Path agent, Path work) throws Exception {
    Path rules = work.resolve(app.name().replace(' ', '-') + "-rules.yaml");
    Files.writeString(rules, app.neverReachedRules());
    Set<String> bare = loaded(app, List.of(), work, "bare", false);
    Set<String> withAgent =
        loaded(app, List.of("-javaagent:" + agent + "=" + rules), work, "agent", true);
    Set<String> added = new HashSet<>(withAgent);
    added.removeAll(bare);
    Map<String, Integer> byGroup = new TreeMap<>();
    for (String name : added) {
      byGroup.merge(group(name), 1, Integer::sum);
    }
    System.out.printf(
        "%n%s: classes loaded by the first served request: bare %d, agent %d, added %d"
            + " (by package, largest first)%n",
        app.name(), bare.size(), withAgent.size(), added.size());
    byGroup.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(16)
        .forEach(e -> System.out.printf("  %5d  %s%n", e.getValue(), e.getKey()));
  }

  private static Set<String> loaded(
      App app, List<String> agentOptions, Path work, String label, boolean agentDecides)
      throws Exception {
    Path log = work.resolve("class-load-" + label + "-" + System.nanoTime() + ".txt");
    List<String> options = new java.util.ArrayList<>(agentOptions);
    options.add("-Xlog:class+load=info:file=" + log);
    int port = StartupCost.freePort();
    try (ChildJvm jvm =
        ChildJvm.launch(app.command(port, options), work.resolve("app-" + port + ".log"))) {
      jvm.awaitFirstServed(app.firstRequest(port), agentDecides ? "X-RateLimit-Limit" : null, 300);
    }
    Set<String> names = new HashSet<>();
    for (String line : Files.readAllLines(log)) {
      // [0.012s][info][class,load] java.lang.Object source: shared objects file
      int start = line.indexOf("] ", line.indexOf("class,load"));
      if (start < 0) {
        continue;
      }
      String name = line.substring(start + 2).split(" ")[0];
      // lambdas and proxies get a new number each run: count them by their kind
      names.add(name.replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda").replaceAll("/0x.*", ""));
    }
    return names;
  }

  /** The agent's shaded libraries by name, its own classes as one, others by package. */
  static String group(String className) {
    String shaded = "io.fastlimit.agent.shaded.";
    if (className.startsWith(shaded)) {
      String rest = className.substring(shaded.length());
      return "agent's " + rest.substring(0, rest.indexOf('.')) + " (shaded)";
    }
    if (className.startsWith("io.fastlimit.agent.")) {
      return "agent's own classes (io.fastlimit.agent)";
    }
    if (className.startsWith("io.fastlimit.bootstrap.")) {
      return "agent's bootstrap bridge (io.fastlimit.bootstrap)";
    }
    String[] parts = className.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(3, parts.length - 1); i++) {
      out.append(i == 0 ? "" : ".").append(parts[i]);
    }
    return out + ".* (JDK or app, loaded only with the agent)";
  }
}
