package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2.3: the path tricks against rules decided at the container's front door. */
class Undertow2FrontDoorPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
