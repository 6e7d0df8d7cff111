package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Tomcat 11, jakarta.servlet. */
class Tomcat11JakartaTest extends ContainerContract {

  @Override
  Path appJar() {
    return Build.jakartaSample();
  }
}
