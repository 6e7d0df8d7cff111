package io.fastlimit.it;

import java.nio.file.Path;

/**
 * {@link SpringBootFormWithoutCharsetTest} on the Spring Boot sample on Jetty 12 (ee10), where
 * Jetty is in Spring Boot's class loader, not on the system class path: the agent's replaying
 * request must be defined beside Jetty's (it once was loaded by a class literal in the agent's
 * loader, and no form account was ever read there).
 */
class SpringBootJettyFormWithoutCharsetTest extends SpringBootFormWithoutCharsetTest {

  @Override
  Path appJar() {
    return Build.springBootJettySample();
  }
}
