package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Tomcat 9, javax.servlet. */
class Tomcat9JavaxTest extends ContainerContract {

  @Override
  Path appJar() {
    return Build.javaxSample();
  }
}
