package io.fastlimit.it;

import java.nio.file.Path;

/** WildFly on Java 25. */
class WildFlyOnJava25Test extends WildFlyTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
