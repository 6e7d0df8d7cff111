package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `java -jar fastlimit-agent.jar attach <pid> rules.yaml` limits an app that is already serving.
 */
class AttachTest {

  @Test
  void attachingToARunningTomcatInstrumentsItsLoadedServlets() throws Exception {
    Path rules =
        Build.rulesFile(
            "attach",
            """
            rules:
              - path: /api/**
                limit: 2/hour
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), null)) {
      // serving without the agent: servlet classes are loaded and in use
      for (int i = 0; i < 3; i++) {
        assertThat(app.get("/api/a").status()).isEqualTo(200);
      }
      Process attach =
          new ProcessBuilder(
                  List.of(
                      Build.java().toString(),
                      "-jar",
                      Build.agentJar().toString(),
                      "attach",
                      Long.toString(app.pid()),
                      rules.toString()))
              .redirectErrorStream(true)
              .start();
      String attachOutput = new String(attach.getInputStream().readAllBytes());
      assertThat(attach.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(attach.exitValue()).as(attachOutput).isZero();
      app.awaitOutput("fastlimit agent");
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Remaining")).isEqualTo(1);
      assertThat(app.get("/api/a").status()).isEqualTo(200);
      assertThat(app.get("/api/a").status()).isEqualTo(429);
      assertThat(app.get("/stats").body()).contains("\"hello\":5");
    }
  }

  @Test
  void theJarWithoutArgumentsPrintsItsUsage() throws Exception {
    Process process =
        new ProcessBuilder(List.of(Build.java().toString(), "-jar", Build.agentJar().toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).contains("usage:").contains("check rules.yaml").contains("attach <pid>");
  }
}
