package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2.3 (jakarta) on Java 25: the container contract. */
class Undertow2OnJava25Test extends Undertow2JakartaTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
