package io.fastlimit.it;

import java.util.List;

/**
 * Open Liberty (OSGi, its own web container) with the jakarta sample WAR and the agent in the
 * server's jvm.options.
 */
class OpenLibertyTest extends DeployedWarContract {

  @Override
  List<String> contexts() {
    return List.of("sample-webapp");
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return StandaloneLiberty.start(
        javaHome(),
        Build.distribution("liberty"),
        "liberty",
        Build.sampleWar(),
        "sample-webapp",
        rulesYaml);
  }
}
