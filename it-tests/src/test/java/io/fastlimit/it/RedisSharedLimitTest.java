package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two instances of an app share one limit through Redis, exactly, under concurrent traffic. The
 * test starts its own redis-server on a free port (.ci/run installs the Debian package).
 */
class RedisSharedLimitTest {

  private static final Pattern HELLO = Pattern.compile("\"hello\":(\\d+)");

  @Test
  void twoInstancesShareOneLimitExactly() throws Exception {
    assumeTrue(
        new File("/usr/bin/redis-server").canExecute() || onPath("redis-server"),
        "redis-server is not installed (.ci/run installs it); only then skipped");
    int redisPort = ChildApp.freePort();
    Process redis =
        new ProcessBuilder(
                "redis-server", "--port", Integer.toString(redisPort), "--save", "", "--appendonly", "no")
            .redirectErrorStream(true)
            .redirectOutput(Build.workDirectory("redis").resolve("redis.log").toFile())
            .start();
    try {
      Path rules =
          Build.rulesFile(
              "redis-shared",
              """
              redis-url: redis://127.0.0.1:%d
              redis:
                timeout: 500ms
                on-error: deny
              key-prefix: it-%d
              rules:
                - name: api
                  path: /api/**
                  limit: 10/hour
              """
                  .formatted(redisPort, System.nanoTime()));
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
        assertThat(admitted).isEqualTo(10);
        assertThat(blocked).isEqualTo(30);
        assertThat(handled(first) + handled(second)).isEqualTo(10);
        assertThat(first.output()).contains("redis redis://127.0.0.1:" + redisPort);
      }
    } finally {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static long handled(ChildApp app) throws Exception {
    Matcher matcher = HELLO.matcher(app.get("/stats").body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, command).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
