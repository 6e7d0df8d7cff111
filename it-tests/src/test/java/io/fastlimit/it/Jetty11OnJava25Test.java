package io.fastlimit.it;

import java.nio.file.Path;

/** The Jetty 11 distribution (jakarta, Servlet 5.0) on Java 25. */
class Jetty11OnJava25Test extends Jetty11DistributionTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
