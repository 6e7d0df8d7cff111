package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2 servlet, jakarta.servlet. */
class Undertow2PathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }
}
