package io.fastlimit.it;

import java.nio.file.Path;

/** The Spring Boot 3.5 sample on Jetty (spring-boot-starter-jetty), on Java 25. */
class SpringBootJettyOnJava25Test extends SpringBootOnJava25Test {

  @Override
  Path appJar() {
    return Build.springBootJettySample();
  }
}
