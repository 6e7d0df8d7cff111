package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Embedded Jetty 12 (ee10): the path tricks against rules decided at the container's front door.
 */
class Jetty12FrontDoorPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
