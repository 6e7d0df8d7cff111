package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Quarkus REST (Vert.x 4.5 underneath) on Java 25, lean: the contract of the stacks without the
 * servlet API with its common rules only (limits, headers, 429, pipelining, h2c).
 */
class QuarkusOnJava25Test extends NettyStackContract {

  @Override
  Path javaHome() {
    return Java25.home();
  }

  @Override
  ChildApp start() throws Exception {
    return QuarkusApp.start(
        javaHome(), Build.rulesFile("quarkus-java25", "rules:\n" + COMMON_RULES));
  }

  @Override
  String errorMark() {
    return "[fastlimit] ERROR";
  }
}
