package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Through Redis: two instances of an app share one limit exactly under concurrent traffic, and an
 * app that uses its own Lettuce and Netty is unaffected by the agent's relocated copies.
 */
class RedisSharedLimitTest {

  private static final Pattern HELLO = Pattern.compile("\"hello\":(\\d+)");

  // Redis timeouts of 5 s in these tests: a shorter one can fire on a loaded machine, and then
  // the on-error answer, not Redis, decides a request the test counts

  @Test
  void twoInstancesShareOneLimitExactly() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      twoInstancesShareOneLimit(redis, "");
    }
  }

  /**
   * The same with {@code redis.fixed-window: commands}: concurrent requests from two instances
   * through INCRBY and take-backs, no script, still admit exactly the limit.
   */
  @Test
  void twoInstancesShareOneFixedWindowCountedByCommandsExactly() throws Exception {
    twoInstancesCountByCommands("fixed-window");
  }

  /** And with {@code redis.sliding-window: commands}, which also reads the previous window. */
  @Test
  void twoInstancesShareOneSlidingWindowCountedByCommandsExactly() throws Exception {
    twoInstancesCountByCommands("sliding-window");
  }

  /**
   * And with {@code redis.token-bucket: commands}: ZADD GT and ZINCRBY of one sorted set, no
   * script; 10 an hour refills a token in 6 minutes, far longer than the test.
   */
  @Test
  void twoInstancesShareOneTokenBucketCountedByCommandsExactly() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      // at most the capacity; the last of the burst may be refused: an instance whose time (as it
      // samples Redis's) is a few ms behind the other's finds the bucket those ms emptier, and at
      // exactly the capacity that is a token short (the safe side; the script has one clock)
      int admitted =
          twoInstancesShareOneLimit(
              redis, "  token-bucket: commands\nalgorithm: token-bucket\n", 9);
      String key = redis.cli("KEYS", "*:api:ip:{*}:t").trim();
      assertThat(key).as("the bucket's sorted set").isNotEmpty();
      assertThat(redis.cli("TYPE", key).trim()).isEqualTo("zset");
      // the score and the latest refill time
      assertThat(redis.cli("ZCARD", key).trim()).isEqualTo("2");
      String stats = redis.cli("INFO", "commandstats");
      // every decision that reached Redis is a ZADD (the give-back script's ZINCRBYs count too)
      long decisions = stat(stats, "zadd", "calls");
      assertThat(stat(stats, "zincrby", "calls")).isGreaterThanOrEqualTo(decisions);
      long scripts =
          stat(stats, "evalsha", "calls")
              - stat(stats, "evalsha", "failed_calls")
              + stat(stats, "eval", "calls");
      assertThat(decisions).isGreaterThanOrEqualTo(admitted);
      // every blocked decision that reached Redis gave its tokens back by the give-back script
      long gaveBack = scripts;
      for (int i = 0; i < 100 && gaveBack != decisions - admitted; i++) {
        Thread.sleep(50);
        stats = redis.cli("INFO", "commandstats");
        gaveBack =
            stat(stats, "evalsha", "calls")
                - stat(stats, "evalsha", "failed_calls")
                + stat(stats, "eval", "calls");
      }
      assertThat(gaveBack).as("give-backs of the blocked").isEqualTo(decisions - admitted);
    }
  }

  private static void twoInstancesCountByCommands(String algorithm) throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      long hour = 3_600_000;
      long windowBefore = System.currentTimeMillis() / hour;
      twoInstancesShareOneLimit(
          redis, "  %s: commands\nalgorithm: %s\n".formatted(algorithm, algorithm));
      // a window of an hour that ended during the test would have admitted more
      Assumptions.assumeTrue(System.currentTimeMillis() / hour == windowBefore);
      String key = redis.cli("KEYS", "*:api:ip:{*}:*").trim();
      assertThat(key).as("the window's key").endsWith(":" + windowBefore * hour);
      // the blocked requests' take-backs are sent before their 429s, not awaited
      String count = redis.cli("GET", key).trim();
      for (int i = 0; i < 100 && !count.equals("10"); i++) {
        Thread.sleep(50);
        count = redis.cli("GET", key).trim();
      }
      assertThat(count).as("what Redis holds: the admitted requests only").isEqualTo("10");
      // every decision that reached Redis is an INCRBY; scripts ran only to take back the counts
      // of blocked requests (the blocked cache answered some of them without Redis)
      String stats = redis.cli("INFO", "commandstats");
      long decisions = stat(stats, "incrby", "calls");
      long scripts =
          stat(stats, "evalsha", "calls")
              - stat(stats, "evalsha", "failed_calls")
              + stat(stats, "eval", "calls");
      assertThat(decisions).isGreaterThanOrEqualTo(10);
      assertThat(scripts).as("take-backs of the blocked").isEqualTo(decisions - 10);
      if (algorithm.equals("sliding-window")) {
        // each decision read the previous window's key too, by an MGET (the give-back script's
        // GETs are counted as GET)
        assertThat(stat(stats, "mget", "calls")).isEqualTo(decisions);
      }
    }
  }

  /** Two instances of the sample, 40 concurrent requests; {@code settings} under redis:. */
  private static void twoInstancesShareOneLimit(LocalRedis redis, String settings)
      throws Exception {
    twoInstancesShareOneLimit(redis, settings, 10);
  }

  /**
   * The same; at least {@code atLeast} of the limit of 10 admitted, never more than 10: how many
   * were.
   */
  private static int twoInstancesShareOneLimit(LocalRedis redis, String settings, int atLeast)
      throws Exception {
    {
      Path rules =
          Build.rulesFile(
              "redis-shared",
              """
              redis-url: %s
              redis:
                timeout: 5s
                on-error: deny
              %skey-prefix: it-%d
              rules:
                - name: api
                  path: /api/**
                  limit: 10/hour
              """
                  .formatted(redis.url(), settings, System.nanoTime()));
      try (ChildApp first = ChildApp.sample(Build.jakartaSample(), rules.toString());
          ChildApp second = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
        // on-error is deny: until connected, requests would be refused
        first.awaitOutput("connected to redis");
        second.awaitOutput("connected to redis");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          ChildApp app = i % 2 == 0 ? first : second;
          results.add(pool.submit(() -> app.get("/api/shared").status()));
        }
        int admitted = 0;
        int blocked = 0;
        for (Future<Integer> result : results) {
          int status = result.get(60, TimeUnit.SECONDS);
          if (status == 200) {
            admitted++;
          } else if (status == 429) {
            blocked++;
          }
        }
        pool.shutdown();
        assertThat(admitted).isBetween(atLeast, 10);
        assertThat(blocked).isEqualTo(40 - admitted);
        assertThat(handled(first) + handled(second)).isEqualTo(admitted);
        return admitted;
      }
    }
  }

  @Test
  void anAppWithItsOwnLettuceAndNettyIsUnaffected() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      Path rules =
          Build.rulesFile(
              "redis-own-lettuce",
              """
              redis-url: %s
              redis:
                timeout: 5s
              key-prefix: it-%d
              rules:
                - name: visits
                  path: /api/public/visits
                  limit: 3/hour
              """
                  .formatted(redis.url(), System.nanoTime()));
      // Spring Data Redis brings Lettuce 6 and Netty 4.1; the agent runs Lettuce 7 and Netty 4.2
      try (ChildApp app =
          ChildApp.sample(
              Build.springBootSample(),
              rules.toString(),
              java.util.Map.of(
                  "SPRING_DATA_REDIS_HOST",
                  redis.host(),
                  "SPRING_DATA_REDIS_PORT",
                  Integer.toString(redis.port())))) {
        app.awaitOutput("connected to redis");
        for (int i = 1; i <= 3; i++) {
          HttpResult ok = app.get("/api/public/visits");
          assertThat(ok.status()).as("%s", ok).isEqualTo(200);
          assertThat(ok.body()).isEqualTo("visits " + i);
          assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(3 - i);
        }
        assertThat(app.get("/api/public/visits").status()).isEqualTo(429);
        assertThat(redis.cli("GET", "sample:visits")).isEqualTo("3");
        assertThat(app.output()).doesNotContain("ERROR").doesNotContain("Exception");
      }
    }
  }

  /** A field of a command's line in INFO commandstats, 0 when the command never ran. */
  private static long stat(String stats, String command, String field) {
    Matcher line =
        Pattern.compile("cmdstat_" + command + ":.*?\\b" + field + "=(\\d+)").matcher(stats);
    return line.find() ? Long.parseLong(line.group(1)) : 0;
  }

  private static long handled(ChildApp app) throws Exception {
    Matcher matcher = HELLO.matcher(app.get("/stats").body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }
}
