package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Tomcat 9, javax.servlet. */
class Tomcat9PathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.javaxSample();
  }
}
