package io.fastlimit.it;

import java.nio.file.Path;

/** Dropwizard 5 on Java 25. */
class DropwizardOnJava25Test extends DropwizardTest {

  @Override
  Path javaHome() {
    return Java25.home();
  }
}
