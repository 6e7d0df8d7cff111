package io.fastlimit.it;

import java.util.List;

/**
 * WildFly (JBoss Modules, Undertow inside) with the jakarta sample WAR in deployments/ and the
 * agent in standalone.conf's JAVA_OPTS.
 */
class WildFlyTest extends DeployedWarContract {

  @Override
  List<String> contexts() {
    return List.of("sample-webapp");
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return StandaloneWildFly.start(
        javaHome(),
        Build.distribution("wildfly"),
        "wildfly",
        Build.sampleWar(),
        "sample-webapp",
        rulesYaml);
  }
}
