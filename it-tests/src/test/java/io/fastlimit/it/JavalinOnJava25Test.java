package io.fastlimit.it;

import java.nio.file.Path;

/** Javalin 7 (its embedded Jetty 12) on Java 25. */
class JavalinOnJava25Test extends JavalinTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
