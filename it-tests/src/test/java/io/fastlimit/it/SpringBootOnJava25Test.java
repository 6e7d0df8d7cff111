package io.fastlimit.it;

import java.nio.file.Path;

/**
 * The Spring Boot 3.5 sample (Spring Security, Tomcat) on Java 25, lean: one app, the public API
 * limited per IP with the headers and the 429, /stats untouched, the spellings refused. The Spring
 * Security features themselves are {@link SpringBootTest}'s, on the default JDK.
 */
class SpringBootOnJava25Test extends LimitedAppContract {

  /** The fat jar to run: Tomcat inside here; Jetty and Undertow in the subclasses. */
  Path appJar() {
    return Build.springBootSample();
  }

  @Override
  Path javaHome() {
    return Java25.home();
  }

  @Override
  String limitedPrefix() {
    return "/api/public";
  }

  @Override
  String statsPath() {
    return "/stats";
  }

  @Override
  String counter() {
    return "public";
  }

  @Override
  String greeting(String name) {
    return "hello anonymous from " + name;
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return ChildApp.sampleOn(
        javaHome(), appJar(), Build.rulesFile("boot-java25", rulesYaml).toString());
  }
}
