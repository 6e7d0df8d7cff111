package io.fastlimit.it;

import java.nio.file.Path;

/** Javalin 6 (its embedded Jetty 11) on Java 25. */
class Javalin6OnJava25Test extends Javalin6Test {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
