package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Jetty 12 (ee10), its ConstraintSecurityHandler with BasicAuthenticator. */
class Jetty12BasicLoginFrontDoorTest extends BasicLoginFrontDoorContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }
}
