package io.fastlimit.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build put what the tests run: paths handed over by the pom as system properties. */
final class Build {

  private Build() {}

  static Path agentJar() {
    return existing("fastlimit.agent.jar");
  }

  static Path jakartaSample() {
    return existing("fastlimit.sample.jakarta");
  }

  static Path javaxSample() {
    return existing("fastlimit.sample.javax");
  }

  static Path jettySample() {
    return existing("fastlimit.sample.jetty");
  }

  static Path undertowSample() {
    return existing("fastlimit.sample.undertow");
  }

  static Path springBootSample() {
    return existing("fastlimit.sample.boot");
  }

  static Path springBootJettySample() {
    return existing("fastlimit.sample.boot.jetty");
  }

  static Path springBootUndertowSample() {
    return existing("fastlimit.sample.boot.undertow");
  }

  static Path webfluxSample() {
    return existing("fastlimit.sample.webflux");
  }

  static Path micronautSample() {
    return existing("fastlimit.sample.micronaut");
  }

  static Path gatewaySample() {
    return existing("fastlimit.sample.gateway");
  }

  static Path vertxSample() {
    return existing("fastlimit.sample.vertx");
  }

  /** Quarkus's fast jar: {@code quarkus-app/quarkus-run.jar}, next to its {@code lib/}. */
  static Path quarkusSample() {
    return existing("fastlimit.sample.quarkus");
  }

  static Path javalinSample() {
    return existing("fastlimit.sample.javalin");
  }

  static Path javalin6Sample() {
    return existing("fastlimit.sample.javalin6");
  }

  static Path springBoot27Sample() {
    return existing("fastlimit.sample.boot27");
  }

  static Path dropwizardSample() {
    return existing("fastlimit.sample.dropwizard");
  }

  static Path jerseyFilterWar() {
    return existing("fastlimit.sample.war.jersey-filter");
  }

  static Path struts2FilterWar() {
    return existing("fastlimit.sample.war.struts2-filter");
  }

  static Path sampleWar() {
    return existing("fastlimit.sample.war");
  }

  static Path sampleWarJavax() {
    return existing("fastlimit.sample.war.javax");
  }

  /** An unpacked distribution of the matrix, by the key its pom property uses ("jetty94"). */
  static Path distribution(String key) {
    return existing("fastlimit.dist." + key);
  }

  static Path tomcatHome() {
    return existing("fastlimit.tomcat.home");
  }

  static Path java() {
    return javaHome().resolve("bin/java");
  }

  /** The JDK running the tests, which runs the embedded apps unless a test names another. */
  static Path javaHome() {
    return Paths.get(System.getProperty("java.home"));
  }

  /** A fresh directory for one test's files. */
  static Path workDirectory(String name) throws IOException {
    Path root = Paths.get(System.getProperty("fastlimit.work", "target/it-work"));
    Files.createDirectories(root);
    return Files.createTempDirectory(root, name + "-");
  }

  /** Writes a rules file into a fresh directory. */
  static Path rulesFile(String name, String yaml) throws IOException {
    Path file = workDirectory(name).resolve("rules.yaml");
    Files.write(file, yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return file;
  }

  private static Path existing(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(property + " is not set: run the it-tests through Maven");
    }
    Path path = Paths.get(value).toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new IllegalStateException(path + " does not exist: run `mvn -B verify` from the root");
    }
    return path;
  }
}
