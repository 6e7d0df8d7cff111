package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.fixed-window: commands}, second review: where the counters still answer otherwise
 * than the script's fixed window. Steps are taken in an order that can happen in production.
 */
class WindowCountersReview2Test {

  private static final long MINUTE = 60_000;

  /** 2100-01-01, a multiple of every window: no relative expiry ends while the test runs. */
  private static final long BASE = 4_102_444_800_000L;

  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;
  private static RedisAsyncCommands<String, String> async;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    client = RedisServer.client(server.uri());
    connection = client.connect();
    redis = connection.sync();
    async = connection.async();
    redis.scriptLoad(GiveBackScript.TEXT);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    server.close();
  }

  private static RedisBackend backend(
      RedisClock by, RedisConfig.Counting fixedWindow, int blockedKeys) {
    RedisBackend made =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.FIXED_WINDOW, fixedWindow),
            by,
            new BlockedCache(blockedKeys));
    RedisBackendTest.awaitConnected(made);
    return made;
  }

  private static Charge charge(long limit, long cost) {
    return Charges.charge(
        "review2:" + unique.incrementAndGet() + ":{client}",
        limit,
        MINUTE,
        cost,
        Algorithm.FIXED_WINDOW,
        false);
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
  }

  /**
   * Limit 10, 8 counted. X (cost 5) is blocked: its INCRBY raised the count to 13 and its take-back
   * is on its way. Y (cost 1), in between, sees 14 and is blocked too, which the script would not
   * do (it counts nothing for X) and which the counters' Javadoc allows "for the moment in
   * between". But the BlockedCache remembers Y's block, and answers Y's next requests from memory,
   * blocked, for up to a second although Redis holds 8 again and the script admits them. The
   * cache's own contract: it blocks what Redis would admit only when a key was deleted.
   */
  @Test
  @Disabled(
      "known limit (README, fixed windows by plain commands): a block that only a pending take-back caused is believed for up to 1 s; it never admits")
  void aBlockThatOnlyAnotherRequestsPendingTakeBackCausedIsNotRemembered() throws Exception {
    FakeClock clock = new FakeClock(BASE);
    RedisBackend backend = backend(clock, RedisConfig.Counting.COMMANDS, 100);
    try {
      Charge one = charge(10, 1);
      Charge five =
          Charges.charge(one.key(), 10, MINUTE, 5, Algorithm.FIXED_WINDOW, false); // same bucket
      for (int i = 0; i < 8; i++) {
        assertThat(backend.acquire(one).allowed()).isTrue();
      }
      Charge[] x = {five};
      WindowCounters.Sent sent = new WindowCounters(clock, true, false).submit(connection, x);
      Outcome[] blocked = WindowCounters.await(sent, deadline());
      assertThat(blocked[0].allowed()).as("X, cost 5 with 8 counted").isFalse();
      assertThat(backend.acquire(one).allowed())
          .as("Y, while X's take-back is on its way")
          .isFalse();
      WindowCounters.settle(async, sent, blocked, false);
      async.ping().get(5, TimeUnit.SECONDS); // X's take-back is in
      assertThat(redis.get(five.key() + ':' + BASE)).as("Redis's count").isEqualTo("8");
      // the script admits Y now, 8 of 10 counted; Redis too, were it asked
      assertThat(backend.acquire(one).allowed()).as("Y again, Redis holding 8 of 10").isTrue();
    } finally {
      backend.close();
    }
  }

  /**
   * count: failures right after an operator's reset. The operator resets a user (say, after a
   * password reset), the user's next request comes 0.5 s later, is admitted, and succeeds: its
   * charge is given back. The script's fixed window gives it back (Redis TIME on both sides); the
   * counters keep it, because a window counter's charge within COUNTER_MARGIN (1 s) of a reset is
   * never given back: with limit 1 the user, who never failed, is locked out for the rest of the
   * window (an hour for an hourly login limit), blocked by a reset that was meant to let them in.
   * The same margin skips the take-back of a request blocked in that second: its count stays for
   * the whole window too, not only "for the moment in between".
   */
  @Test
  @Disabled(
      "known limit (README): within 1 s after a reset, window counters give back and take back nothing; the counts stay, which blocks, never admits")
  void aSuccessRightAfterAResetIsGivenBackAsTheScriptGivesItBack() {
    FakeClock clock = new FakeClock(BASE + 10_000);
    RedisBackend scripts = backend(clock, RedisConfig.Counting.SCRIPT, 0);
    RedisBackend counters = backend(clock, RedisConfig.Counting.COMMANDS, 0);
    try {
      assertThat(lockedOutAfterReset(scripts, clock)).as("the script's fixed window").isFalse();
      assertThat(lockedOutAfterReset(counters, clock)).as("window counters").isFalse();
    } finally {
      scripts.close();
      counters.close();
    }
  }

  private static boolean lockedOutAfterReset(RedisBackend backend, FakeClock clock) {
    Charge charge = charge(1, 1);
    assertThat(backend.acquire(charge).allowed()).as("a failure").isTrue();
    assertThat(backend.acquire(charge).allowed()).as("limit 1").isFalse();
    assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
    clock.advance(500);
    Outcome a = backend.acquire(charge);
    assertThat(a.allowed()).as("A, 0.5 s after the reset").isTrue();
    clock.advance(100);
    backend.giveBack(new Charge[] {charge}, new long[] {a.decidedAtMillis()}); // A succeeded
    clock.advance(5_000);
    return !backend.acquire(charge).allowed();
  }

  /**
   * The give-back script places a window counter's charge in Redis's time as (Redis TIME when the
   * script runs) - (ms since the charge, computed when the arguments were built). Any delay between
   * the two (a take-back sent while the connection is down and buffered until it is back, the
   * NOSCRIPT retry, a GC pause on the way out) moves the charge that much later. Past the 1 s
   * margin a take-back from before an operator's reset is taken for one after it, and comes out of
   * the counts made after the reset: limit 1, two requests admitted after the reset.
   */
  @Test
  @Disabled(
      "known limit (README): a take-back or give-back held more than 1 s on its way past a reset can take one count from after it; the fix is a GET of the mark in the batch")
  void aTakeBackDelayedOnItsWayIsNotTakenFromTheCountsAfterAReset() throws Exception {
    RedisClock redisTime =
        new RedisClock() {
          @Override
          public long nanos() {
            return System.nanoTime();
          }

          @Override
          public long millis() {
            return System.currentTimeMillis(); // the same host as Redis: Redis's TIME
          }

          @Override
          public String scriptNow() {
            return ""; // as RedisClock.SYSTEM
          }
        };
    RedisBackend backend = backend(redisTime, RedisConfig.Counting.COMMANDS, 0);
    try {
      Charge charge = charge(1, 1);
      Charge[] one = {charge};
      assertThat(backend.acquire(charge).allowed()).as("A").isTrue();
      WindowCounters.Sent sent = new WindowCounters(redisTime, true, false).submit(connection, one);
      Outcome[] b = WindowCounters.await(sent, deadline());
      assertThat(b[0].allowed()).as("B").isFalse();
      // B's take-back is built now and reaches Redis later
      List<Object[]> held = new ArrayList<>();
      WindowCounters.settle(holding(held), sent, b, false);
      assertThat(held).hasSize(1);
      assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
      assertThat(backend.acquire(charge).allowed()).as("C, after the reset").isTrue();
      RedisServer.sleep(1_200);
      Object[] evalsha = held.get(0);
      async
          .evalsha(
              (String) evalsha[0],
              (io.lettuce.core.ScriptOutputType) evalsha[1],
              (String[]) evalsha[2],
              (String[]) evalsha[3])
          .get(5, TimeUnit.SECONDS);
      assertThat(backend.acquire(charge).allowed())
          .as("D, the second request after the reset, limit 1")
          .isFalse();
    } finally {
      backend.close();
    }
  }

  /**
   * A take-back whose answer is lost with the connection. Were a command written but not answered
   * when the connection drops written again on the new one (Lettuce's at-least-once), the
   * take-back, which is not idempotent, would run twice and its second DECRBY come out of another
   * request's count. Limit 2, A and C admitted, B blocked and taken back: D is blocked. (Holds: the
   * link's options do not write it again.)
   */
  @Test
  void aTakeBackWrittenAgainAfterAReconnectTakesBackOnce() throws Exception {
    FakeClock clock = new FakeClock(BASE);
    try (Proxy proxy = new Proxy(server.port())) {
      RedisBackend backend =
          RedisBackend.connect(
              new RedisConfig(
                      List.of("redis://127.0.0.1:" + proxy.port()),
                      false,
                      5_000,
                      RedisConfig.OnError.DENY)
                  .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS),
              clock,
              new BlockedCache(0));
      try {
        RedisBackendTest.awaitConnected(backend);
        java.lang.reflect.Field field = RedisBackend.class.getDeclaredField("link");
        field.setAccessible(true);
        RedisLink link = (RedisLink) field.get(backend);
        Charge charge = charge(2, 1);
        Charge[] one = {charge};
        String key = charge.key() + ':' + BASE;
        assertThat(backend.acquire(charge).allowed()).as("A").isTrue();
        assertThat(backend.acquire(charge).allowed()).as("C").isTrue();
        WindowCounters.Sent sent =
            new WindowCounters(clock, true, false).submit(link.connection(), one);
        Outcome[] b = WindowCounters.await(sent, deadline());
        assertThat(b[0].allowed()).as("B").isFalse();
        proxy.swallowAnswers();
        WindowCounters.settle(link.commands(), sent, b, false);
        while (!"2".equals(redis.get(key))) {
          RedisServer.sleep(5); // the take-back ran; its answer is lost
        }
        proxy.dropClients();
        RedisBackendTest.awaitConnected(backend); // after anything written again
        assertThat(redis.get(key)).as("the count: A and C").isEqualTo("2");
        assertThat(backend.acquire(charge).allowed()).as("D, a third request, limit 2").isFalse();
      } finally {
        backend.close();
      }
    }
  }

  /** A TCP proxy to Redis that can keep Redis's answers from its clients and drop them. */
  private static final class Proxy implements AutoCloseable {
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

  /** Scripting commands that keep each EVALSHA's arguments, to be sent later, and send nothing. */
  @SuppressWarnings("unchecked")
  private static RedisScriptingAsyncCommands<String, String> holding(List<Object[]> held) {
    return (RedisScriptingAsyncCommands<String, String>)
        java.lang.reflect.Proxy.newProxyInstance(
            WindowCountersReview2Test.class.getClassLoader(),
            new Class<?>[] {RedisScriptingAsyncCommands.class},
            (proxy, method, args) -> {
              if (method.getName().equals("evalsha") && args.length == 4) {
                held.add(args);
                // a command never written: its future never completes
                return new io.lettuce.core.protocol.AsyncCommand<>(
                    new io.lettuce.core.protocol.Command<>(
                        io.lettuce.core.protocol.CommandType.EVALSHA,
                        new io.lettuce.core.output.IntegerOutput<>(
                            io.lettuce.core.codec.StringCodec.UTF8)));
              }
              throw new UnsupportedOperationException(method.toString());
            });
  }
}
