package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every stack without the servlet API must show with the Redis backend: the decision may wait
 * for Redis, so it is made off the event loop and the request resumes on it decided. The limit
 * holds exactly under concurrent requests, and with Redis unreachable every request is answered as
 * {@code on-error} says. Subclasses name the sample app and may add rules and checks.
 */
abstract class RedisStackContract {

  /** The sample app's jar. */
  abstract Path appJar();

  /** A short name for the stack, in file names and key prefixes. */
  abstract String stack();

  /** Rules beyond {@code /api/**: 10/hour}, as YAML list items; none by default. */
  String moreRules() {
    return "";
  }

  /**
   * What else the app shows through Redis once the concurrent requests are done; none by default.
   */
  void alsoThroughRedis(ChildApp app) throws Exception {}

  @Test
  void concurrentRequestsAreLimitedExactlyThroughRedis() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      Path rules =
          Build.rulesFile(
              stack() + "-redis",
              """
              redis-url: %s
              redis:
                timeout: 5s
                on-error: deny
              key-prefix: it-%s-%d
              rules:
                - path: /api/**
                  limit: 10/hour
              """
                      .formatted(redis.url(), stack(), System.nanoTime())
                  + moreRules());
      try (ChildApp app = ChildApp.sample(appJar(), rules.toString())) {
        app.awaitOutput("connected to redis");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<HttpResult>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          results.add(pool.submit(() -> app.get("/api/shared")));
        }
        int admitted = 0;
        int blocked = 0;
        for (Future<HttpResult> result : results) {
          HttpResult answer = result.get(60, TimeUnit.SECONDS);
          if (answer.status() == 200) {
            admitted++;
            assertThat(answer.hasHeader("X-RateLimit-Remaining")).isTrue();
          } else if (answer.status() == 429) {
            blocked++;
            assertThat(answer.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
          }
        }
        pool.shutdown();
        assertThat(admitted).isEqualTo(10);
        assertThat(blocked).isEqualTo(20);
        assertThat(app.get("/stats").body()).contains("\"hello\":10");
        alsoThroughRedis(app);
        assertThat(app.output()).doesNotContain("ERROR");
      }
    }
  }

  @Test
  void anUnreachableRedisFollowsOnError() throws Exception {
    int closedPort = ChildApp.freePort();
    Path rules =
        Build.rulesFile(
            stack() + "-redis-down",
            """
            redis-url: redis://127.0.0.1:%d
            redis:
              timeout: 100ms
              on-error: allow
            rules:
              - path: /api/**
                limit: 1/hour
            """
                .formatted(closedPort));
    try (ChildApp app = ChildApp.sample(appJar(), rules.toString())) {
      for (int i = 0; i < 5; i++) {
        HttpResult result = app.get("/api/x");
        assertThat(result.status()).as("request %d: %s", i, result).isEqualTo(200);
      }
      assertThat(app.get("/stats").body()).contains("\"hello\":5");
    }
  }
}
