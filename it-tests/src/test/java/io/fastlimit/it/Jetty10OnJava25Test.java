package io.fastlimit.it;

import java.nio.file.Path;

/** The Jetty 10 distribution (javax, Servlet 4.0) on Java 25. */
class Jetty10OnJava25Test extends Jetty10DistributionTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
