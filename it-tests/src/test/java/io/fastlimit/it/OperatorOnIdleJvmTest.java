package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The operator's commands reach an agent whose application has not served a request yet: the MBean
 * is registered once the JMX agent that the command starts exists, not at the first request.
 */
class OperatorOnIdleJvmTest {

  private static RedisOperatorTest.Command once(String... arguments) throws Exception {
    return RedisOperatorTest.agentCommand(arguments); // one call: it does not ask again
  }

  @Test
  void blockedAndResetAnswerBeforeTheFirstRequest() throws Exception {
    Path rules =
        Build.rulesFile(
            "operator-idle",
            """
            rules:
              - name: api
                path: /api/**
                limit: 2/hour
            """);
    try (ChildApp app = ChildApp.sample(Build.undertowSample(), rules.toString())) {
      app.awaitOutput("fastlimit agent");

      RedisOperatorTest.Command blocked = once("blocked", Long.toString(app.pid()));
      assertThat(blocked.status()).as(blocked.output()).isZero();
      assertThat(blocked.output()).isEqualTo("nobody was blocked in the last 5 minutes");

      RedisOperatorTest.Command reset =
          once("reset", Long.toString(app.pid()), "ip", "127.0.0.1", "api");
      assertThat(reset.status()).as(reset.output()).isZero();
      assertThat(reset.output()).startsWith("api: ip 127.0.0.1");

      // and the application serves, limited, afterwards
      assertThat(app.get("/api/a").status()).isEqualTo(200);
      assertThat(app.get("/api/a").status()).isEqualTo(200);
      assertThat(app.get("/api/a").status()).isEqualTo(429);
    }
  }

  @Test
  void aJvmWithoutTheAgentIsNamedAsSuch() throws Exception {
    try (ChildApp app = ChildApp.sample(Build.undertowSample(), null)) {
      RedisOperatorTest.Command blocked = once("blocked", Long.toString(app.pid()));
      assertThat(blocked.status()).isEqualTo(1);
      assertThat(blocked.output())
          .contains("runs no fastlimit agent")
          .contains("attach " + app.pid());
    }
  }
}
