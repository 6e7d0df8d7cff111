package io.fastlimit.it;

import java.nio.file.Path;

/** The Spring Boot 3.5 sample on Undertow (spring-boot-starter-undertow), on Java 25. */
class SpringBootUndertowOnJava25Test extends SpringBootOnJava25Test {

  @Override
  Path appJar() {
    return Build.springBootUndertowSample();
  }
}
