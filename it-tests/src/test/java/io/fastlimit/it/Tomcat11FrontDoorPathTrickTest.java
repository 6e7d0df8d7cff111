package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Embedded Tomcat 11, jakarta.servlet: the path tricks against rules decided at the container's
 * front door.
 */
class Tomcat11FrontDoorPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.jakartaSample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
