package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Jetty 12 (ee10), jakarta.servlet. */
class Jetty12PathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }
}
