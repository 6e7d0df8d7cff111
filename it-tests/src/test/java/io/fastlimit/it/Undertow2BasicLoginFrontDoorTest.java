package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2.3, its deployment's BASIC login-config. */
class Undertow2BasicLoginFrontDoorTest extends BasicLoginFrontDoorContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }
}
