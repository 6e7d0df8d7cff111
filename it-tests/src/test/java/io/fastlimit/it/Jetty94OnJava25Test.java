package io.fastlimit.it;

import java.nio.file.Path;

/** The oldest container of the matrix, Jetty 9.4 (javax, Servlet 3.1), on the newest JDK. */
class Jetty94OnJava25Test extends Jetty94DistributionTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
