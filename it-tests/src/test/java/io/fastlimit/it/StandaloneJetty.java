package io.fastlimit.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A jetty-home distribution from Maven Central, configured the way its documentation says: a fresh
 * jetty.base made by {@code start.jar} with the server's own modules, the WARs dropped into
 * webapps/, and the agent in {@code start.d/fastlimit.ini} as {@code --exec} plus the JVM option,
 * which makes start.jar fork the server JVM with it.
 */
final class StandaloneJetty {

  /**
   * A WAR deployed as webapps/{@code context}.war; on Jetty 12 into {@code environment} (ee8, ee9,
   * ee10, ee11) through webapps/{@code context}.properties, null before 12.
   */
  record War(Path file, String context, String environment) {}

  /** What a test adds to the jetty.base before Jetty starts (a realm, say). */
  interface BaseSetup {
    void prepare(Path base) throws Exception;
  }

  private StandaloneJetty() {}

  /**
   * Makes a jetty.base with these modules (added with {@code --add-modules}, or with Jetty 9.4's
   * {@code --create-startd --add-to-start}), deploys the WARs, starts Jetty with the agent and
   * returns once every WAR answers.
   */
  static ChildApp start(
      Path javaHome, Path home, String name, List<String> modules, List<War> wars, String rulesYaml)
      throws Exception {
    return start(javaHome, home, name, modules, wars, rulesYaml, base -> {});
  }

  /** As {@link #start}, with {@code setup} run on the jetty.base once the WARs are in place. */
  static ChildApp start(
      Path javaHome,
      Path home,
      String name,
      List<String> modules,
      List<War> wars,
      String rulesYaml,
      BaseSetup setup)
      throws Exception {
    Path base = Build.workDirectory("jetty-base-" + name);
    String startJar = home.resolve("start.jar").toString();
    List<String> makeBase =
        new ArrayList<>(List.of(AppServers.java(javaHome).toString(), "-jar", startJar));
    String version = Files.readString(home.resolve("VERSION.txt")).replaceFirst("^jetty-", "");
    if (version.startsWith("9.")) {
      makeBase.add("--create-startd");
      makeBase.add("--add-to-start=" + String.join(",", modules));
    } else {
      makeBase.add("--add-modules=" + String.join(",", modules));
    }
    AppServers.run(makeBase, base);
    Path webapps = Files.createDirectories(base.resolve("webapps"));
    List<String> contexts = new ArrayList<>();
    for (War war : wars) {
      Files.copy(war.file(), webapps.resolve(war.context() + ".war"));
      if (war.environment() != null) {
        Files.writeString(
            webapps.resolve(war.context() + ".properties"),
            "environment=" + war.environment() + "\n",
            StandardCharsets.UTF_8);
      }
      contexts.add(war.context());
    }
    setup.prepare(base);
    Path rules = Build.rulesFile(name, rulesYaml);
    Files.writeString(
        base.resolve("start.d/fastlimit.ini"),
        "--exec\n-javaagent:" + Build.agentJar() + "=" + rules + "\n",
        StandardCharsets.UTF_8);
    int port = ChildApp.freePort();
    List<String> command =
        List.of(
            AppServers.java(javaHome).toString(),
            "-jar",
            startJar,
            "jetty.http.host=127.0.0.1",
            "jetty.http.port=" + port);
    return AppServers.awaitContexts(ChildApp.start(command, Map.of(), base, port), contexts);
  }
}
