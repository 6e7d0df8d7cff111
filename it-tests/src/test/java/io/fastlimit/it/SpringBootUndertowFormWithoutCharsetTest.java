package io.fastlimit.it;

import java.nio.file.Path;

/** {@link SpringBootFormWithoutCharsetTest} on the Spring Boot sample on Undertow. */
class SpringBootUndertowFormWithoutCharsetTest extends SpringBootFormWithoutCharsetTest {

  @Override
  Path appJar() {
    return Build.springBootUndertowSample();
  }
}
