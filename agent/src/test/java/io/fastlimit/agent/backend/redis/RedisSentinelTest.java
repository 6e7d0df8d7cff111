package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Sentinel failover under traffic: a master, a replica and three sentinels of the test's own; the
 * master is killed while requests flow, the agent follows the promotion and limits are shared
 * again.
 */
class RedisSentinelTest {

  private static final long TIMEOUT_MILLIS = 500;

  /** A sentinel process on a free port, watching {@code mymaster}. */
  private static final class Sentinel implements AutoCloseable {
    final int port;
    final Process process;

    Sentinel(int masterPort) throws IOException {
      port = RedisServer.freePort();
      Path dir = Files.createTempDirectory("fastlimit-sentinel-" + port);
      Path conf = dir.resolve("sentinel.conf");
      Files.writeString(
          conf,
          "port "
              + port
              + "\nbind 127.0.0.1\ndir "
              + dir
              + "\nsentinel monitor mymaster 127.0.0.1 "
              + masterPort
              + " 2\nsentinel down-after-milliseconds mymaster 1000\n"
              + "sentinel failover-timeout mymaster 5000\n"
              + "sentinel parallel-syncs mymaster 1\n");
      process =
          new ProcessBuilder(redisServer(), conf.toString(), "--sentinel")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("sentinel.log").toFile())
              .start();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private static String redisServer() {
    RedisServer.cli(); // skips the test when the Redis tools are missing
    return RedisServer.executable();
  }

  private static String cli(int port, String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(RedisServer.cli(), "-p", Integer.toString(port)));
    line.addAll(List.of(command));
    Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
    String reply = new String(run.getInputStream().readAllBytes()).trim();
    run.waitFor(10, TimeUnit.SECONDS);
    return reply;
  }

  private static void await(String what, long seconds, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  @Test
  void theAgentFollowsAFailoverAndLimitsAreSharedAgain() throws Exception {
    try (RedisServer master = RedisServer.start();
        RedisServer replica =
            RedisServer.start(
                List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        Sentinel one = new Sentinel(master.port());
        Sentinel two = new Sentinel(master.port());
        Sentinel three = new Sentinel(master.port())) {
      await(
          "the replica in sync",
          30,
          () -> cli(replica.port(), "INFO", "replication").contains("master_link_status:up"));
      for (Sentinel sentinel : List.of(one, two, three)) {
        await(
            "each sentinel knows the replica and the other sentinels",
            60,
            () -> {
              String master0 = cli(sentinel.port, "SENTINEL", "MASTER", "mymaster");
              return master0.contains("num-slaves\n1")
                  && master0.contains("num-other-sentinels\n2");
            });
      }
      String uri =
          "redis-sentinel://127.0.0.1:"
              + one.port
              + ",127.0.0.1:"
              + two.port
              + ",127.0.0.1:"
              + three.port
              + "#mymaster";
      RedisConfig settings =
          new RedisConfig(List.of(uri), false, TIMEOUT_MILLIS, RedisConfig.OnError.DENY);
      try (RedisBackend first = RedisBackend.connect(settings);
          RedisBackend second = RedisBackend.connect(settings)) {
        RedisBackendTest.awaitConnected(first);
        RedisBackendTest.awaitConnected(second);
        Charge shared =
            Charges.charge(
                "sentinel:" + System.nanoTime() + ":{client}",
                1_000_000,
                3_600_000,
                1,
                Algorithm.FIXED_WINDOW,
                false);
        assertThat(first.acquire(shared).allowed()).isTrue();

        // traffic on the first instance while the master dies
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong();
        AtomicLong firstRefusalAt = new AtomicLong();
        AtomicLong answeredAgainAt = new AtomicLong();
        AtomicLong longestWaitNanos = new AtomicLong();
        Thread traffic =
            new Thread(
                () -> {
                  while (running.get()) {
                    long start = System.nanoTime();
                    boolean allowed = first.acquire(shared).allowed();
                    long now = System.nanoTime();
                    longestWaitNanos.accumulateAndGet(now - start, Math::max);
                    if (killedAt.get() != 0) {
                      if (!allowed) {
                        firstRefusalAt.compareAndSet(0, now);
                      } else if (firstRefusalAt.get() != 0) {
                        answeredAgainAt.compareAndSet(0, now);
                      }
                    }
                    RedisServer.sleep(10);
                  }
                });
        traffic.start();
        RedisServer.sleep(300);
        killedAt.set(System.nanoTime());
        master.kill();
        await("the agent answered by the promoted replica", 90, () -> answeredAgainAt.get() != 0);
        running.set(false);
        traffic.join();

        assertThat(cli(replica.port(), "ROLE")).startsWith("master");
        // shared again: what one instance counts, the other sees
        // the other instance follows by itself too (on-error deny refuses until it has)
        await("the second instance answered again", 90, () -> second.acquire(shared).allowed());
        long before = second.acquire(shared).remaining();
        first.acquire(shared);
        assertThat(second.acquire(shared).remaining()).isEqualTo(before - 2);
        System.out.printf(
            "sentinel failover: limits shared again %.1f s after the master was killed;"
                + " on-error answered meanwhile; longest request wait %d ms (redis.timeout %d"
                + " ms)%n",
            (answeredAgainAt.get() - killedAt.get()) / 1e9,
            TimeUnit.NANOSECONDS.toMillis(longestWaitNanos.get()),
            TIMEOUT_MILLIS);
      }
    }
  }
}
