package io.fastlimit.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The newest JDK installed beside the default one, for the matrix's runs on Java 25. */
final class Java25 {

  private Java25() {}

  /** Its home; the test is skipped (only then) where none is installed. */
  static Path home() {
    Path java = NewestJavaTest.JAVA_25;
    assumeTrue(Files.isExecutable(java), "no Java 25 at " + java + " (only then skipped)");
    return java.getParent().getParent();
  }
}
