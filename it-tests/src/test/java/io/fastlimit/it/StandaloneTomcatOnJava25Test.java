package io.fastlimit.it;

import java.nio.file.Path;

/** The Tomcat 11 distribution on Java 25 (`JAVA_HOME` for catalina.sh). */
class StandaloneTomcatOnJava25Test extends StandaloneTomcatTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
