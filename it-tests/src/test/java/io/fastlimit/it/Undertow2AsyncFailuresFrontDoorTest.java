package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2.3: an asynchronous servlet's completion, seen by the exchange's end. */
class Undertow2AsyncFailuresFrontDoorTest extends AsyncFailuresFrontDoorContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }
}
