package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Embedded Tomcat 9, javax.servlet: the path tricks against rules decided at the container's front
 * door.
 */
class Tomcat9FrontDoorPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.javaxSample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
