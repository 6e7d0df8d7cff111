package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2 servlet, jakarta.servlet. */
class Undertow2JakartaTest extends ContainerContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }
}
