package io.fastlimit.it;

import java.nio.file.Path;

/**
 * A Vert.x 5 web app on Java 25, lean: the contract of the stacks without the servlet API with its
 * common rules only (limits, headers, 429, pipelining, h2c).
 */
class VertxOnJava25Test extends NettyStackContract {

  @Override
  Path javaHome() {
    return Java25.home();
  }

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sampleOn(
        javaHome(),
        Build.vertxSample(),
        Build.rulesFile("vertx-java25", "rules:\n" + COMMON_RULES).toString());
  }
}
