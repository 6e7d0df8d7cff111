package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.limit.LoginRequests;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.fastlimit.redisfixture.TestRedis;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * count: failures with an account bucket through the limiter on Redis: concurrent attempts on one
 * account, half of them successes whose charge goes back by giveback.lua, never get more failures
 * through than the limit, and once the successes are given back exactly the limit of failures is
 * admitted.
 */
class RedisLoginTest {

  private static TestRedis server;
  private static RedisBackend redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = TestRedis.start();
    redis =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY));
    RedisBackendTest.awaitConnected(redis);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
    server.close();
  }

  @Test
  void concurrentAttemptsNeverAdmitMoreFailuresThanTheLimit() throws Exception {
    LimiterBridge bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(
                    "key-prefix: redis-login-test\n"
                        + "rules:\n  - path: /login\n    ip: 1000/min\n    account: 5/15min\n"
                        + "    account-from: header:X-Account\n    count: failures\n",
                    "rules.yaml",
                    name -> null),
                redis,
                new Stats()));
    Object request = LoginRequests.withHeader("X-Account", "alice");
    AtomicInteger failuresAdmitted = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      final int thread = t;
      threads.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < 25; i++) {
              boolean fails = (i + thread) % 2 == 0;
              Verdict verdict =
                  bridge
                      .rules()
                      .decide(
                          Stage.SERVLET_ALONE,
                          "POST",
                          "",
                          "/login",
                          null,
                          "198.51.100." + thread,
                          null,
                          null,
                          request);
              if (!verdict.isBlocked()) {
                if (fails) {
                  failuresAdmitted.incrementAndGet();
                }
                bridge.completed(verdict, fails ? 401 : 200, null, null);
              }
            }
          });
    }
    go.countDown();
    threads.shutdown();
    assertThat(threads.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
    assertThat(failuresAdmitted.get()).isLessThanOrEqualTo(5);
    // the successes' charges come back (sent without waiting): then failures fill up to the limit
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (failuresAdmitted.get() < 5 && System.nanoTime() < deadline) {
      Verdict verdict =
          bridge
              .rules()
              .decide(
                  Stage.SERVLET_ALONE,
                  "POST",
                  "",
                  "/login",
                  null,
                  "198.51.100.99",
                  null,
                  null,
                  request);
      if (!verdict.isBlocked()) {
        failuresAdmitted.incrementAndGet();
        bridge.completed(verdict, 401, null, null);
      } else {
        RedisServer.sleep(1_100); // past the local memory of blocks
      }
    }
    assertThat(failuresAdmitted.get()).isEqualTo(5);
    Verdict after =
        bridge
            .rules()
            .decide(
                Stage.SERVLET_ALONE,
                "POST",
                "",
                "/login",
                null,
                "198.51.100.98",
                null,
                null,
                request);
    assertThat(after.isBlocked()).as("the account is used up by failures").isTrue();
  }
}
