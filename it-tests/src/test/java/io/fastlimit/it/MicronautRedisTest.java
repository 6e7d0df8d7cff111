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
 * Micronaut with the Redis backend: the decision may wait for Redis, so it is made off the event
 * loop and Micronaut's routing resumes on the loop decided. The limit holds exactly under
 * concurrent requests, headers included, and a reload applies without a restart.
 */
class MicronautRedisTest {

  @Test
  void concurrentRequestsAreLimitedExactlyThroughRedis() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      Path rules =
          Build.rulesFile(
              "micronaut-redis",
              """
              redis-url: %s
              redis:
                timeout: 5s
                on-error: deny
              key-prefix: it-micronaut-%d
              rules:
                - path: /api/**
                  limit: 10/hour
              """
                  .formatted(redis.url(), System.nanoTime()));
      try (ChildApp app = ChildApp.sample(Build.micronautSample(), rules.toString())) {
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
        assertThat(app.output()).doesNotContain("ERROR");
      }
    }
  }
}
