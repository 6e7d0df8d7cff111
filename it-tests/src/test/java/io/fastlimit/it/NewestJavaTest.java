package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent on the newest JDK installed beside the default one (Temurin 25 on our machines). */
class NewestJavaTest {

  static final Path JAVA_25 =
      Paths.get(
          System.getProperty("fastlimit.java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"),
          "bin",
          "java");

  @Test
  void limitsOnJava25() throws Exception {
    assumeTrue(Files.isExecutable(JAVA_25), "no Java 25 at " + JAVA_25 + " (only then skipped)");
    Path rules =
        Build.rulesFile(
            "java25",
            """
            rules:
              - path: /api/**
                limit: 2/hour
            """);
    List<String> command =
        List.of(
            JAVA_25.toString(),
            "-javaagent:" + Build.agentJar() + "=" + rules,
            "-jar",
            Build.jakartaSample().toString(),
            "0");
    try (ChildApp app =
        ChildApp.start(command, java.util.Map.of(), Build.workDirectory("java25"), null)) {
      assertThat(app.get("/api/x").status()).isEqualTo(200);
      assertThat(app.get("/api/x").status()).isEqualTo(200);
      HttpResult blocked = app.get("/api/x");
      assertThat(blocked.status()).isEqualTo(429);
      assertThat(app.get("/stats").body()).contains("\"hello\":2");
      assertThat(app.output()).doesNotContain("ERROR");
    }
  }
}
