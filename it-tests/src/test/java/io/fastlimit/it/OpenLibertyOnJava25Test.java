package io.fastlimit.it;

import java.nio.file.Path;

/** Open Liberty on Java 25 (`JAVA_HOME` for bin/server). */
class OpenLibertyOnJava25Test extends OpenLibertyTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
