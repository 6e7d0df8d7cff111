package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Spring Boot 3.5 WebFlux on Reactor Netty on Java 25, lean: the contract of the stacks without the
 * servlet API with its common rules only (limits, headers, 429, pipelining, h2c).
 */
class WebFluxOnJava25Test extends NettyStackContract {

  @Override
  Path javaHome() {
    return Java25.home();
  }

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sampleOn(
        javaHome(),
        Build.webfluxSample(),
        Build.rulesFile("webflux-java25", "rules:\n" + COMMON_RULES).toString());
  }
}
