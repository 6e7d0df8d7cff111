package io.fastlimit.it;

import java.nio.file.Path;

/** The Spring Boot sample on Undertow 2.3 in place of Tomcat: spring-boot-starter-undertow. */
class SpringBootUndertowTest extends SpringBootTest {

  @Override
  Path appJar() {
    return Build.springBootUndertowSample();
  }
}
