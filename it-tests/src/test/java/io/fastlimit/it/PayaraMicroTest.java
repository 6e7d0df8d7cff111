package io.fastlimit.it;

import java.util.List;

/** Payara Micro 6 (Jakarta EE 10, Grizzly and its web container) with the jakarta sample WAR. */
class PayaraMicroTest extends DeployedWarContract {

  @Override
  List<String> contexts() {
    return List.of("sample-webapp");
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return PayaraMicro.start(
        javaHome(),
        Build.distribution("payara-micro"),
        "payara",
        Build.sampleWar(),
        "sample-webapp",
        rulesYaml);
  }
}
