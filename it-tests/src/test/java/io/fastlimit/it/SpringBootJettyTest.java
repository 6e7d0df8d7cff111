package io.fastlimit.it;

import java.nio.file.Path;

/** The Spring Boot sample on Jetty 12 (ee10) in place of Tomcat: spring-boot-starter-jetty. */
class SpringBootJettyTest extends SpringBootTest {

  @Override
  Path appJar() {
    return Build.springBootJettySample();
  }
}
