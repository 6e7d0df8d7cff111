package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2.3, a synchronous BASIC answer. */
class Undertow2BasicFailuresFrontDoorTest extends BasicFailuresFrontDoorContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }
}
