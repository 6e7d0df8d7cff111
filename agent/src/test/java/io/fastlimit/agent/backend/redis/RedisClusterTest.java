package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis backend on a three-node Redis Cluster of the test's own. */
class RedisClusterTest {

  private static final List<RedisServer> nodes = new ArrayList<>();
  private static RedisBackend backend;

  @BeforeAll
  static void startCluster() throws Exception {
    // a frozen node stays a member: the tests freeze one for a few seconds
    nodes.addAll(RedisServer.startCluster(List.of("--cluster-node-timeout", "60000")));
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    backend = RedisBackend.connect(new RedisConfig(uris, true, 2_000, RedisConfig.OnError.DENY));
    RedisBackendTest.awaitConnected(backend);
  }

  @AfterAll
  static void stopCluster() {
    if (backend != null) {
      backend.close();
    }
    for (RedisServer node : nodes) {
      node.close();
    }
  }

  @Test
  void chargesOfOneClientShareASlotAndStayAtomic() {
    String wide = "cluster:wide:ip:{203.0.113.7}";
    String narrow = "cluster:narrow:ip:{203.0.113.7}";
    assertThat(SlotHash.getSlot(wide)).isEqualTo(SlotHash.getSlot(narrow));
    Charge[] both = {
      Charges.charge(wide, 10, 3_600_000, 1, Algorithm.SLIDING_WINDOW, false),
      Charges.charge(narrow, 1, 3_600_000, 1, Algorithm.FIXED_WINDOW, false)
    };
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, true);
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, false);
    assertThat(backend.acquire(new Charge[] {both[0]})[0].remaining())
        .as("the blocked request took nothing")
        .isEqualTo(8);
  }

  @Test
  void chargesInDifferentSlotsAreEachAnswered() {
    // a user bucket and an IP bucket: two hash tags, most likely on two nodes
    Charge[] mixed = new Charge[6];
    for (int i = 0; i < mixed.length; i++) {
      mixed[i] =
          Charges.charge(
              "cluster:rule" + i + ":user:{user-" + i + "}",
              i + 1,
              3_600_000,
              1,
              Algorithm.values()[i % 3],
              false);
    }
    assertThat(SlotHash.getSlot(mixed[0].key())).isNotEqualTo(SlotHash.getSlot(mixed[1].key()));
    Outcome[] outcomes = backend.acquire(mixed);
    for (int i = 0; i < mixed.length; i++) {
      assertThat(outcomes[i].allowed()).isTrue();
      assertThat(outcomes[i].remaining()).as("bucket %d", i).isEqualTo(i);
    }
    // the limit-1 bucket now blocks; its group is atomic, the other groups are not
    Outcome[] again = backend.acquire(mixed);
    assertThat(again[0].allowed()).isFalse();
    assertThat(again[0].retryAfterMillis()).isPositive();
  }

  /**
   * {@code redis.fixed-window: commands} on the cluster: each window counter goes to its slot's
   * node (the commands are dispatched together, routed one by one), beside the scripts of the other
   * algorithms, and a request's group in one slot stays all or nothing.
   */
  @Test
  void windowCountersGoToTheirSlotsNodes() {
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    try (RedisBackend counters =
        RedisBackend.connect(
            new RedisConfig(uris, true, 2_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS))) {
      RedisBackendTest.awaitConnected(counters);
      for (RedisServer node : nodes) {
        RedisServer.loadGiveBack(node.uri());
      }
      Charge[] mixed = new Charge[6];
      for (int i = 0; i < mixed.length; i++) {
        mixed[i] =
            Charges.charge(
                "counters:rule" + i + ":user:{user-" + i + "}",
                i + 1,
                3_600_000,
                1,
                i % 2 == 0 ? Algorithm.FIXED_WINDOW : Algorithm.SLIDING_WINDOW,
                false);
      }
      Outcome[] outcomes = counters.acquire(mixed);
      for (int i = 0; i < mixed.length; i++) {
        assertThat(outcomes[i].allowed()).as("bucket %d", i).isTrue();
        assertThat(outcomes[i].remaining()).as("bucket %d", i).isEqualTo(i);
      }
      Outcome[] again = counters.acquire(mixed);
      assertThat(again[0].allowed()).as("the limit-1 fixed window").isFalse();
      assertThat(again[2].remaining()).as("a fixed window in another slot").isEqualTo(1);
      // one client, one slot: a fixed window and a sliding window, the sliding one blocks
      String wide = "counters:wide:ip:{198.51.100.9}";
      String narrow = "counters:narrow:ip:{198.51.100.9}";
      Charge[] both = {
        Charges.charge(wide, 10, 3_600_000, 1, Algorithm.FIXED_WINDOW, false),
        Charges.charge(narrow, 1, 3_600_000, 1, Algorithm.SLIDING_WINDOW, false)
      };
      assertThat(counters.acquire(both)).extracting(Outcome::allowed).containsExactly(true, true);
      assertThat(counters.acquire(both)).extracting(Outcome::allowed).containsExactly(true, false);
      // the take-back went before this request's count on the node's one connection
      assertThat(counters.acquire(new Charge[] {both[0]})[0].remaining())
          .as("the blocked request took nothing")
          .isEqualTo(8);
    }
  }

  /**
   * One node frozen (SIGSTOP, shorter than the cluster's node timeout, so the cluster itself stays
   * up): 500 requests for its slots, from ever new clients in ever other slots, are answered
   * on-error, one at a time asking the node (a few scripts reach it, one per timeout), while
   * requests for the other nodes' slots are answered by Redis as usual; the outage and the recovery
   * are logged once each, not once per answer from another node. The node counts the scripts it ran
   * once it runs again (a frozen server still receives them).
   */
  @Test
  void aFrozenNodeHoldsUpOnlyItsOwnSlotsOneRequestAtATime() throws Exception {
    RedisServer frozen = nodes.get(1);
    int[] range = slotRange(frozen);
    Charge onFrozen = roomyCharge(keyWhereSlot(range, true, 0));
    // many clients, each its own hash tag, so each in its own slot of the frozen node
    List<Charge> frozenClients = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      frozenClients.add(roomyCharge(keyWhereSlot(range, true, frozenClients.size() + 1)));
    }
    Charge elsewhere = roomyCharge(keyWhereSlot(range, false, 0));
    CapturedLog log = new CapturedLog();
    log.start();
    try (RedisBackend tested = connectDenying(RedisClock.SYSTEM)) {
      RedisBackendTest.awaitConnected(tested);
      assertThat(tested.acquire(new Charge[] {onFrozen})[0].allowed()).isTrue();
      assertThat(tested.acquire(new Charge[] {elsewhere})[0].allowed()).isTrue();
      long before = RedisBackendTest.scriptCalls(frozen);
      AtomicInteger frozenRequests = new AtomicInteger();
      AtomicInteger wrongAnswers = new AtomicInteger();
      ExecutorService traffic = Executors.newFixedThreadPool(4);
      frozen.pause();
      try {
        assertThat(tested.acquire(new Charge[] {onFrozen})[0].allowed()).as("waited").isFalse();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          // one thread on a running node's slot, three on ever new clients of the frozen node
          boolean toFrozen = t > 0;
          workers.add(
              traffic.submit(
                  () -> {
                    for (int i = 0;
                        toFrozen ? (i = frozenRequests.getAndIncrement()) < 500 : i < 100;
                        i++) {
                      Charge charge = toFrozen ? frozenClients.get(i) : elsewhere;
                      boolean allowed = tested.acquire(new Charge[] {charge})[0].allowed();
                      if (allowed == toFrozen) {
                        wrongAnswers.incrementAndGet();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> worker : workers) {
          worker.get(60, TimeUnit.SECONDS);
        }
      } finally {
        traffic.shutdownNow();
        frozen.resume();
      }
      assertThat(wrongAnswers.get())
          .as("running node's slot admitted, frozen node's denied (on-error deny)")
          .isZero();
      int afterwards = 1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!tested.acquire(new Charge[] {onFrozen})[0].allowed()) {
        assertThat(System.nanoTime()).as("its slot answers again within 15 s").isLessThan(deadline);
        RedisServer.sleep(20);
        afterwards++;
      }
      // one script per request from here on: one thread, and the node answers
      long whileFrozen = RedisBackendTest.scriptCalls(frozen) - before - 1 - afterwards;
      assertThat(whileFrozen)
          .as("scripts sent to the frozen node for 500 requests")
          .isBetween(1L, 10L);
    } finally {
      log.stop();
    }
    String text = log.text();
    assertThat(text.split("applies until Redis answers again", -1)).as(text).hasSize(2);
    assertThat(text.split("Redis answers again; limits are shared again", -1)).as(text).hasSize(2);
  }

  /**
   * A node that failed and is never asked again (as one replaced in a failover) does not hold the
   * outage open: a minute later an answer from another node ends it, so that the next outage is
   * logged too.
   */
  @Test
  void aFailedNodeNobodyAsksAgainStopsCountingAfterAMinute() throws Exception {
    RedisServer frozen = nodes.get(2);
    int[] range = slotRange(frozen);
    Charge onFrozen = roomyCharge(keyWhereSlot(range, true, 7));
    Charge elsewhere = roomyCharge(keyWhereSlot(range, false, 7));
    FakeClock clock = FakeClock.atHourStart();
    CapturedLog log = new CapturedLog();
    log.start();
    try (RedisBackend tested = connectDenying(clock)) {
      RedisBackendTest.awaitConnected(tested);
      frozen.pause();
      try {
        assertThat(tested.acquire(new Charge[] {onFrozen})[0].allowed()).as("frozen").isFalse();
      } finally {
        frozen.resume();
      }
      assertThat(tested.acquire(new Charge[] {elsewhere})[0].allowed()).isTrue();
      assertThat(log.text())
          .as("the failed node was not asked again: the outage goes on")
          .doesNotContain("limits are shared again");
      clock.advance(OutageTracker.STALE_FAILURE_NANOS / 1_000_000 + 1_000);
      assertThat(tested.acquire(new Charge[] {elsewhere})[0].allowed()).isTrue();
    } finally {
      log.stop();
    }
    String text = log.text();
    assertThat(text.split("applies until Redis answers again", -1)).as(text).hasSize(2);
    assertThat(text.split("Redis answers again; limits are shared again", -1))
        .as("a minute later: " + text)
        .hasSize(2);
  }

  /**
   * A backend of its own on the cluster, on-error deny, by this clock: a timeout of 2 s, which only
   * a frozen node makes a script wait out.
   */
  private static RedisBackend connectDenying(RedisClock clock) {
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    return RedisBackend.connect(
        new RedisConfig(uris, true, 2_000, RedisConfig.OnError.DENY),
        clock,
        new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
  }

  private static Charge roomyCharge(String key) {
    return Charges.charge(key, 1_000_000, 3_600_000, 1, Algorithm.FIXED_WINDOW, false);
  }

  /** The n-th key (from 0) whose slot is inside the range (or outside it). */
  private static String keyWhereSlot(int[] range, boolean inside, int n) {
    for (int i = 0; ; i++) {
      String key = "cluster:frozen:ip:{client-" + i + "}";
      int slot = SlotHash.getSlot(key);
      if ((slot >= range[0] && slot <= range[1]) == inside && n-- == 0) {
        return key;
      }
    }
  }

  /** The first slot range a node serves, from CLUSTER NODES. */
  private static int[] slotRange(RedisServer node) throws Exception {
    Process nodesInfo =
        new ProcessBuilder(
                RedisServer.cli(), "-p", Integer.toString(node.port()), "cluster", "nodes")
            .redirectErrorStream(true)
            .start();
    String text = new String(nodesInfo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    nodesInfo.waitFor();
    Matcher matcher =
        Pattern.compile(":" + node.port() + "@\\S+ \\S*myself\\S*.* (\\d+)-(\\d+)").matcher(text);
    assertThat(matcher.find()).as(text).isTrue();
    return new int[] {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))};
  }
}
