package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.sliding-window: commands} on a cluster connection whose node connections are not
 * open yet: {@link WindowCounters#submit} sends one command at a time. Each sliding charge's
 * commands must still be answered in their places (the count, then the previous and the next
 * window's counts) and leave every key with an expiry; a token bucket's too (its ZADD GT before its
 * ZINCRBY).
 */
class WindowCountersSlidingClusterReviewTest {

  private static final long MINUTE = 60_000;
  private static final long BASE = 4_102_444_800_000L;

  private static final List<RedisServer> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    nodes.addAll(RedisServer.startCluster(List.of()));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (RedisServer node : nodes) {
      node.close();
    }
  }

  @Test
  void slidingChargesSentOneByOneReadBothNeighbouringWindowsAndKeepAnExpiry() throws Exception {
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create(nodes.get(0).uri()));
    try (StatefulRedisClusterConnection<String, String> inspect = client.connect();
        StatefulRedisClusterConnection<String, String> fresh = client.connect()) {
      RedisAdvancedClusterCommands<String, String> redis = inspect.sync();
      // a second before the window's end, when a charge reads the next window too
      FakeClock clock = new FakeClock(BASE + MINUTE - 1_000);
      // keys on every node; each its previous window holding 8, a 60th of it still weighing
      List<Charge> charges = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Charge charge =
            Charges.charge(
                "sliding-cluster:{c" + i + "}", 10, MINUTE, 1, Algorithm.SLIDING_WINDOW, false);
        redis.set(WindowCounters.key(charge, BASE - MINUTE), "8");
        charges.add(charge);
      }
      // one of them late: the next window already counts 6 there
      Charge late = charges.get(0);
      redis.set(WindowCounters.key(late, BASE + MINUTE), "6");
      WindowCounters counters = new WindowCounters(clock, false, true);
      for (Charge charge : charges) {
        WindowCounters.Sent sent = counters.submit(fresh, new Charge[] {charge});
        Outcome outcome =
            WindowCounters.await(sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))[0];
        String key = WindowCounters.key(charge, BASE);
        assertThat(outcome.allowed()).as(key).isTrue();
        // 8 x 1000 + 1 x 60000 of 10 x 60000; the late one: 1 x 60000 + 6 x 60000 at 1:00
        assertThat(outcome.remaining()).as(key).isEqualTo(charge == late ? 3 : 8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (redis.pttl(key) < 0 && System.nanoTime() < deadline) {
          RedisServer.sleep(5);
        }
        assertThat(redis.pttl(key)).as("%s's expiry", key).isPositive();
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * {@code redis.token-bucket: commands} the same way: each bucket's {@code ZINCRBY} must come
   * after its {@code ZADD GT} (the refill before the charge), though commands waiting for a node's
   * connection may be written in any order. Every bucket holds a score from long ago: charged
   * before the refill, a charge would find its bucket full and owing nothing, and answer one more.
   */
  @Test
  void tokenChargesSentOneByOneAreRefilledBeforeTheyAreChargedAndKeepAnExpiry() throws Exception {
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create(nodes.get(0).uri()));
    try (StatefulRedisClusterConnection<String, String> inspect = client.connect();
        StatefulRedisClusterConnection<String, String> fresh = client.connect()) {
      RedisAdvancedClusterCommands<String, String> redis = inspect.sync();
      FakeClock clock = new FakeClock(BASE);
      List<Charge> charges = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Charge charge =
            Charges.charge(
                "token-cluster:{c" + i + "}", 10, MINUTE, 1, Algorithm.TOKEN_BUCKET, false);
        // 10 a minute: 1 unit a ms, 6 000 a token; a score an hour old
        redis.zadd(TokenCounter.key(charge), BASE - 60 * MINUTE, TokenCounter.member(charge));
        charges.add(charge);
      }
      WindowCounters counters =
          new WindowCounters(clock, new RedisTime(clock, null), false, false, true);
      for (Charge charge : charges) {
        WindowCounters.Sent sent = counters.submit(fresh, new Charge[] {charge});
        Outcome outcome =
            WindowCounters.await(sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))[0];
        String key = TokenCounter.key(charge);
        assertThat(outcome.allowed()).as(key).isTrue();
        assertThat(outcome.remaining()).as(key).isEqualTo(9);
        assertThat(redis.zscore(key, TokenCounter.member(charge)))
            .as(key)
            .isEqualTo(BASE + 6_000.0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (redis.pttl(key) < 0 && System.nanoTime() < deadline) {
          RedisServer.sleep(5);
        }
        assertThat(redis.pttl(key)).as("%s's expiry", key).isPositive();
      }
    } finally {
      client.shutdown();
    }
  }
}
