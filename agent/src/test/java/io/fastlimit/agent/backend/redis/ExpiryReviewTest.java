package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review of the PEXPIRE flags (commit 24127775, {@link Expiry}): ways a counter's key is left
 * without an expiry, or with one too short, or the flags are given up for good for no reason.
 */
class ExpiryReviewTest {

  private static final long MINUTE = 60_000;
  private static final long HOUR = 3_600_000;

  /** 2100-01-01, a multiple of every window and step. */
  private static final long BASE = 4_102_444_800_000L;

  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    client = RedisServer.client(server.uri());
    connection = client.connect();
    redis = connection.sync();
    RedisServer.loadGiveBack(server.uri());
  }

  @AfterAll
  static void stopRedis() {
    connection.close();
    client.shutdown();
    server.close();
  }

  private static RedisConfig settings(String uri, long timeout) {
    return new RedisConfig(List.of(uri), false, timeout, RedisConfig.OnError.DENY)
        .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS)
        .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS)
        .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS);
  }

  private static String bucket() {
    return "review:" + unique.incrementAndGet() + ":{client}";
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      RedisServer.sleep(5);
    }
  }

  /**
   * A flagged PEXPIRE that times out: Lettuce completes a command exceptionally by setting its
   * output's error ({@code Command.completeExceptionally}), so the output's {@code setError} that
   * was to catch a server's refusal of the flags also sees "Command timed out" (and "Connection
   * disconnected", "Currently not connected"): one slow moment of Redis turned the flags off for
   * good, logged as a refusal.
   */
  @Test
  void aRequestThatTimesOutLeavesTheFlagsOn() {
    FakeClock clock = new FakeClock(BASE);
    RedisBackend backend =
        RedisBackend.connect(settings(server.uri(), 1_000), clock, new BlockedCache(0));
    try {
      RedisBackendTest.awaitConnected(backend);
      RedisBackendTest.awaitExpiryFlags(backend);
      Charge charge = Charges.charge(bucket(), 10, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
      redis.clientPause(4_000);
      assertThat(backend.acquire(charge).allowed()).as("on-error deny").isFalse();
      RedisBackendTest.awaitConnected(backend); // once the pause is over
      connection.sync().ping();

      assertThat(backend.expiresWithFlags()).as("flags after a timeout").isTrue();
    } finally {
      backend.close();
    }
  }

  /**
   * An error that is not about the flags (NOREPLICAS here; as well MOVED or ASK in a cluster, whose
   * redirect Lettuce follows after the output saw the error, READONLY after a failover, LOADING
   * after a restart, OOM, BUSY) turned the flags off for good, logged as a refusal.
   */
  @Test
  void aWriteRefusedForAWhileLeavesTheFlagsOn() {
    FakeClock clock = new FakeClock(BASE);
    RedisBackend backend =
        RedisBackend.connect(settings(server.uri(), 5_000), clock, new BlockedCache(0));
    try {
      RedisBackendTest.awaitConnected(backend);
      RedisBackendTest.awaitExpiryFlags(backend);
      Charge charge = Charges.charge(bucket(), 10, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
      redis.configSet("min-replicas-to-write", "1"); // writes refused: NOREPLICAS
      try {
        assertThat(backend.acquire(charge).allowed()).as("on-error deny").isFalse();
      } finally {
        redis.configSet("min-replicas-to-write", "0");
      }
      RedisBackendTest.awaitConnected(backend);

      assertThat(backend.expiresWithFlags()).as("flags after NOREPLICAS").isTrue();
    } finally {
      backend.close();
    }
  }

  /**
   * A TCP proxy to Redis that can keep Redis's answers from its clients and drop them (as
   * WindowCountersReview2Test's).
   */
  static final class Proxy implements AutoCloseable {
    private final java.net.ServerSocket listening = new java.net.ServerSocket(0);
    private final List<java.net.Socket> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean swallow;

    Proxy(int redisPort) throws java.io.IOException {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    java.net.Socket client = listening.accept();
                    java.net.Socket redis = new java.net.Socket("127.0.0.1", redisPort);
                    clients.add(client);
                    pump(client, redis, false);
                    pump(redis, client, true);
                  }
                } catch (java.io.IOException closed) {
                  // the proxy is closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listening.getLocalPort();
    }

    void swallowAnswers() {
      swallow = true;
    }

    /** Closes every client's connection; those that come next are answered again. */
    void dropClients() throws java.io.IOException {
      for (java.net.Socket client : clients) {
        client.close();
      }
      clients.clear();
      swallow = false;
    }

    private void pump(java.net.Socket from, java.net.Socket to, boolean answers) {
      Thread pumping =
          new Thread(
              () -> {
                byte[] buffer = new byte[8192];
                try {
                  java.io.InputStream in = from.getInputStream();
                  java.io.OutputStream out = to.getOutputStream();
                  for (int read; (read = in.read(buffer)) >= 0; ) {
                    if (!(answers && swallow)) {
                      out.write(buffer, 0, read);
                      out.flush();
                    }
                  }
                } catch (java.io.IOException closed) {
                  // either side closed
                } finally {
                  try {
                    from.close();
                    to.close();
                  } catch (java.io.IOException ignored) {
                    // closed already
                  }
                }
              });
      pumping.setDaemon(true);
      pumping.start();
    }

    @Override
    public void close() throws java.io.IOException {
      listening.close();
      dropClients();
    }
  }
}
