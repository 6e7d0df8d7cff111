package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Tomcat 11, jakarta.servlet. */
class Tomcat11PathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.jakartaSample();
  }
}
