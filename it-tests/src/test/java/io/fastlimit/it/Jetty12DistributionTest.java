package io.fastlimit.it;

import java.util.List;

/**
 * The jetty-home 12 distribution with one WAR in each of its servlet environments, side by side in
 * one server: ee8 (javax), ee9 (jakarta, Servlet 5), ee10 (Servlet 6.0) and ee11 (Servlet 6.1).
 * Each environment has its own copy of the servlet classes the agent instruments.
 */
class Jetty12DistributionTest extends DeployedWarContract {

  private static final List<String> ENVIRONMENTS = List.of("ee8", "ee9", "ee10", "ee11");

  @Override
  List<String> contexts() {
    return ENVIRONMENTS.stream().map(environment -> "app-" + environment).toList();
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    List<String> modules = new java.util.ArrayList<>(List.of("server", "http"));
    List<StandaloneJetty.War> wars = new java.util.ArrayList<>();
    for (String environment : ENVIRONMENTS) {
      modules.add(environment + "-deploy");
      modules.add(environment + "-annotations");
      wars.add(
          new StandaloneJetty.War(
              environment.equals("ee8") ? Build.sampleWarJavax() : Build.sampleWar(),
              "app-" + environment,
              environment));
    }
    return StandaloneJetty.start(
        javaHome(), Build.distribution("jetty12"), "jetty12", modules, wars, rulesYaml);
  }
}
