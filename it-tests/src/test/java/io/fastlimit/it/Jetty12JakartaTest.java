package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Jetty 12 (ee10), jakarta.servlet. */
class Jetty12JakartaTest extends ContainerContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }
}
