package io.fastlimit.it;

import java.util.List;

/** The jetty-home 11 distribution (jakarta, Servlet 5.0) with the jakarta sample WAR. */
class Jetty11DistributionTest extends DeployedWarContract {

  @Override
  List<String> contexts() {
    return List.of("sample-webapp");
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return StandaloneJetty.start(
        javaHome(),
        Build.distribution("jetty11"),
        "jetty11",
        List.of("server", "http", "deploy", "annotations"),
        List.of(new StandaloneJetty.War(Build.sampleWar(), contexts().get(0), null)),
        rulesYaml);
  }
}
