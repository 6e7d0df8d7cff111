package io.fastlimit.it;

import java.util.List;

/** The jetty-home 10 distribution (javax, Servlet 4.0) with the javax sample WAR. */
class Jetty10DistributionTest extends DeployedWarContract {

  @Override
  List<String> contexts() {
    return List.of("sample-webapp-javax");
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return StandaloneJetty.start(
        javaHome(),
        Build.distribution("jetty10"),
        "jetty10",
        List.of("server", "http", "deploy", "annotations"),
        List.of(new StandaloneJetty.War(Build.sampleWarJavax(), contexts().get(0), null)),
        rulesYaml);
  }
}
