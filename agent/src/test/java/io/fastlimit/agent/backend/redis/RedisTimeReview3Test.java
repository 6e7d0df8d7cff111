package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RedisTime}, third review: where the estimate of Redis's clock is not what it says. */
class RedisTimeReview3Test {

  private static final long REDIS = 1_800_000_000_000L;

  /**
   * A Redis whose round trip is always over 20 ms (another region, a loaded server, a busy event
   * loop answering the callback late): no sample is ever taken, and the instance counts by its own
   * clock for good, without a word (only a refused TIME is logged). A sample off by half its round
   * trip is still far closer to Redis's clock than an instance clock that may be seconds or hours
   * off: it should be taken while nothing better is held.
   */
  @Test
  void aRedisAlwaysSlowerThan20msIsStillSampled() {
    FakeClock clock = new FakeClock(5_000);
    RedisTime time =
        new RedisTime(
            clock,
            commands -> {
              // Redis's clock: this one's plus REDIS; answered 30 ms after the question
              long redis = REDIS + clock.millis() + (RedisTime.MAX_ROUND_TRIP_MILLIS + 10) / 2;
              clock.advance(RedisTime.MAX_ROUND_TRIP_MILLIS + 10);
              return CompletableFuture.completedFuture(redis);
            });
    for (int i = 0; i < 10; i++) {
      time.sample(RedisTimeTest.noCommands());
      clock.advance(RedisTime.SAMPLE_EVERY_MILLIS);
    }
    assertThat(time.sampled()).as("sampled, within half a 30 ms round trip").isTrue();
    assertThat(time.millis())
        .as("Redis's time, not the instance's")
        .isEqualTo(REDIS + clock.millis());
  }

  /**
   * In a cluster, a keyless {@code TIME} would go to the cluster connection's default node, which
   * Lettuce picks per instance by the fewest connected clients and round-robins on reconnect:
   * instances with the same seed sampled different nodes (4 instances, 2 nodes), whose clocks are
   * as independent as the instances' own. Each now samples the master of slot 0.
   */
  @Test
  void clusterInstancesSampleTheSameNode() throws Exception {
    List<RedisServer> nodes = RedisServer.startCluster(List.of());
    List<RedisBackend> backends = new ArrayList<>();
    Set<String> sampled = ConcurrentHashMap.newKeySet();
    try {
      List<String> uris = List.of(nodes.get(0).uri());
      for (int i = 0; i < 4; i++) {
        RedisBackend backend =
            RedisBackend.connect(
                new RedisConfig(uris, true, 2_000, RedisConfig.OnError.DENY)
                    .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS),
                RedisClock.SYSTEM,
                new BlockedCache(0),
                // asked of the node RedisTime samples: which node answers
                commands ->
                    commands
                        .clusterMyId()
                        .thenApply(
                            id -> {
                              sampled.add(id);
                              return System.currentTimeMillis();
                            }));
        backends.add(backend);
        RedisBackendTest.awaitConnected(backend);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline
          && !backends.stream().allMatch(backend -> backend.time().sampled())) {
        for (RedisBackend backend : backends) {
          backend.sampleTime();
        }
        RedisServer.sleep(50);
      }
      assertThat(backends).allMatch(backend -> backend.time().sampled());
      assertThat(sampled).as("the nodes the instances sample").hasSize(1);
    } finally {
      for (RedisBackend backend : backends) {
        backend.close();
      }
      for (RedisServer node : nodes) {
        node.close();
      }
    }
  }

  /**
   * Lettuce reconnects by itself after a restart or a failover (a Sentinel's new master, a DNS name
   * moved), but RedisTime samples at the first connect and then every 10 s only: for up to 10 s an
   * instance keeps the old server's clock while others that sampled since follow the new one's, the
   * clock difference the change set out to remove. A reconnect should sample at once.
   */
  @Test
  void aReconnectToAServerWithAnotherClockIsSampledAtOnce() throws Exception {
    long hour = 3_600_000;
    Set<String> servers = ConcurrentHashMap.newKeySet();
    String[] first = new String[1];
    RedisServer server = RedisServer.start();
    try (RedisBackend backend =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 2_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS),
            RedisClock.SYSTEM,
            new BlockedCache(0),
            // the first server's clock is this machine's; the next one's an hour ahead
            commands ->
                commands
                    .info("server")
                    .thenApply(
                        info -> {
                          String id = info.replaceAll("(?s).*run_id:(\\w+).*", "$1");
                          servers.add(id);
                          synchronized (first) {
                            if (first[0] == null) {
                              first[0] = id;
                            }
                            return System.currentTimeMillis() + (id.equals(first[0]) ? 0 : hour);
                          }
                        }))) {
      RedisBackendTest.awaitConnected(backend);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!backend.time().sampled() && System.nanoTime() < deadline) {
        backend.sampleTime(); // the first, cold, may take longer than 20 ms
        RedisServer.sleep(20);
      }
      assertThat(backend.time().sampled()).isTrue();
      assertThat(Math.abs(backend.time().millis() - System.currentTimeMillis())).isLessThan(60_000);
      server.kill();
      server.restart(); // another run_id: another server, as after a failover
      RedisBackendTest.awaitConnected(backend);
      // the sample after the reconnect is taken however slow the loaded machine answers it (the
      // periodic one comes every 10 s, and is taken only when fast)
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (backend.time().millis() - System.currentTimeMillis() < hour - 60_000
          && System.nanoTime() < deadline) {
        RedisServer.sleep(20);
      }
      assertThat(backend.time().millis() - System.currentTimeMillis())
          .as(
              "soon after reconnecting, the new server's clock (an hour ahead); servers %s",
              servers)
          .isGreaterThan(hour - 60_000);
    } finally {
      server.close();
    }
  }

  /**
   * "If Redis refuses TIME (logged once)": the failure reaches RedisTime wrapped in a
   * CompletionException whatever it was, and AgentLog.once keys on the caller's label and that
   * class, so the first outage (a sample on a connection that is down: "Currently not connected", a
   * timeout) takes the one log line, saying wrongly that windows are placed by this instance's
   * clock (the last sample is kept), and a later real refusal (an ACL without TIME) is never told.
   */
  @Test
  void aRefusedTimeIsLoggedEvenAfterAnOutage() {
    CapturedLog log = new CapturedLog();
    log.start();
    try {
      FakeClock clock = new FakeClock(5_000);
      java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      RedisTime time =
          new RedisTime(
              clock,
              commands -> {
                CompletableFuture<Long> answer = new CompletableFuture<>();
                answer.completeExceptionally(failure.get());
                return answer.thenApply(millis -> millis); // as Sampler.TIME's parsing wraps it
              });
      failure.set(new RedisException("Currently not connected. Commands are rejected."));
      time.sample(RedisTimeTest.noCommands());
      failure.set(
          new RedisCommandExecutionException(
              "NOPERM User fastlimit has no permissions to run the 'time' command"));
      time.sample(RedisTimeTest.noCommands());
    } finally {
      log.stop();
    }
    assertThat(log.text()).contains("NOPERM").doesNotContain("Currently not connected");
  }
}
