package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Micronaut 4 on its Netty server on Java 25, lean: the contract of the stacks without the servlet
 * API with its common rules only (limits, headers, 429, pipelining, h2c).
 */
class MicronautOnJava25Test extends NettyStackContract {

  @Override
  Path javaHome() {
    return Java25.home();
  }

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sampleOn(
        javaHome(),
        Build.micronautSample(),
        Build.rulesFile("micronaut-java25", "rules:\n" + COMMON_RULES).toString());
  }

  @Override
  String errorMark() {
    return "[fastlimit] ERROR";
  }
}
