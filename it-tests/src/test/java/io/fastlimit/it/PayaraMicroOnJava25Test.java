package io.fastlimit.it;

import java.nio.file.Path;

/** Payara Micro 6 on Java 25. */
class PayaraMicroOnJava25Test extends PayaraMicroTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
