package io.fastlimit.it;

import java.nio.file.Path;

/** The Jetty 12 distribution, all four servlet environments, on Java 25. */
class Jetty12OnJava25Test extends Jetty12DistributionTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
