package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Jetty 12 (ee10), its completion listener. */
class Jetty12BasicFailuresFrontDoorTest extends BasicFailuresFrontDoorContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }
}
