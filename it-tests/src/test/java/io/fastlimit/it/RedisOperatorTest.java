package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator's command line against running JVMs: {@code java -jar fastlimit-agent.jar reset}
 * unblocks a client on every instance that shares Redis.
 */
class RedisOperatorTest {

  /** The command's exit status and output. */
  record Command(int status, String output) {}

  static Command agentCommand(String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Build.java().toString());
    command.add("-jar");
    command.add(Build.agentJar().toString());
    command.addAll(List.of(arguments));
    // the command itself waits for the agent to register its MBeans
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes()).trim();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Command(process.exitValue(), output);
  }

  @Test
  void resetUnblocksAClientOnEveryInstance() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      Path rules =
          Build.rulesFile(
              "redis-reset",
              """
              redis-url: %s
              redis:
                timeout: 5s
                on-error: deny
              key-prefix: it-%d
              rules:
                - name: api
                  path: /api/**
                  limit: 2/hour
                - name: login
                  path: /login
                  limit: 5/hour
              """
                  .formatted(redis.url(), System.nanoTime()));
      try (ChildApp first = ChildApp.sample(Build.jakartaSample(), rules.toString());
          ChildApp second = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
        first.awaitOutput("connected to redis");
        second.awaitOutput("connected to redis");
        assertThat(first.get("/api/a").status()).isEqualTo(200);
        assertThat(second.get("/api/a").status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
          assertThat(first.get("/api/a").status()).isEqualTo(429);
          assertThat(second.get("/api/a").status()).isEqualTo(429);
        }

        Command blocked = agentCommand("blocked", Long.toString(first.pid()));
        assertThat(blocked.status()).as(blocked.output()).isZero();
        assertThat(blocked.output())
            .isEqualTo("rule api: top 1 blocked in the last 5 minutes\n  3 ip 127.0.0.1");

        Command reset = agentCommand("reset", Long.toString(first.pid()), "ip", "127.0.0.1", "api");

        assertThat(reset.status()).as(reset.output()).isZero();
        assertThat(reset.output()).isEqualTo("api: ip 127.0.0.1 reset");
        assertThat(second.get("/api/a").status()).isEqualTo(200);
        assertThat(first.get("/api/a").status()).isEqualTo(200);
        assertThat(first.get("/api/a").status()).isEqualTo(429);
        first.awaitOutput("operator reset the ip counters of 127.0.0.1 in rule api");
      }
    }
  }

  @Test
  void aResetOfAnUnknownRuleSaysWhichRulesThereAre() throws Exception {
    Path rules =
        Build.rulesFile(
            "reset-unknown",
            """
            rules:
              - name: api
                path: /api/**
                limit: 2/hour
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").status()).isEqualTo(200);
      Command reset = agentCommand("reset", Long.toString(app.pid()), "ip", "127.0.0.1", "apu");
      assertThat(reset.status()).isEqualTo(1);
      assertThat(reset.output()).contains("no rule named 'apu'").contains("[api]");
      Command kind = agentCommand("reset", Long.toString(app.pid()), "host", "127.0.0.1");
      assertThat(kind.status()).isEqualTo(1);
      assertThat(kind.output()).contains("write one of [ip, user");
    }
  }
}
