package io.fastlimit.agent.backend;

import static io.fastlimit.agent.rules.Algorithm.FIXED_WINDOW;
import static io.fastlimit.agent.rules.Algorithm.SLIDING_LOG;
import static io.fastlimit.agent.rules.Algorithm.SLIDING_WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBackendTest {

  private static final long MINUTE = 60_000;
  private static final long START = 28_333_334L * MINUTE;
  private static final String KEY_START = "test:ip:{";

  private final AtomicLong clock = new AtomicLong(START);

  private static Charge charge(String client, long limit, long cost, Algorithm algorithm) {
    return Charges.charge(KEY_START, client, limit, MINUTE, cost, algorithm, false);
  }

  private static Charge observe(String client, long limit, long cost) {
    return Charges.charge(KEY_START, client, limit, MINUTE, cost, FIXED_WINDOW, true);
  }

  private static Outcome one(Backend backend, Charge charge) {
    return backend.acquire(new Charge[] {charge})[0];
  }

  private static boolean admitted(Outcome[] outcomes, Charge[] charges) {
    for (int i = 0; i < outcomes.length; i++) {
      if (!outcomes[i].allowed() && !charges[i].observeOnly()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void refusesABoundBelowOne() {
    assertThatThrownBy(() -> new MemoryBackend(clock::get, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void outcomesComeInTheOrderOfTheCharges() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);

    Outcome[] outcomes =
        backend.acquire(
            new Charge[] {charge("z", 9, 1, FIXED_WINDOW), charge("a", 4, 1, FIXED_WINDOW)});

    assertThat(outcomes).extracting(Outcome::remaining).containsExactly(8L, 3L);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void requestBlockedByOneChargeConsumesFromNone(Algorithm algorithm) {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge wide = charge("wide", 5, 1, algorithm);
    Charge narrow = charge("narrow", 1, 1, algorithm);
    Charge[] both = {wide, narrow};
    assertThat(admitted(backend.acquire(both), both)).isTrue();

    for (int i = 0; i < 3; i++) {
      Outcome[] outcomes = backend.acquire(both);
      assertThat(outcomes[0].allowed()).isTrue();
      assertThat(outcomes[1].allowed()).isFalse();
    }

    // only the first, admitted request took from "wide"
    assertThat(one(backend, wide).remaining()).isEqualTo(3);
  }

  @Test
  void chargesOfOneRequestAreLockedInKeyOrderWhateverTheirOrder() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge[] forward = {charge("b", 2, 1, FIXED_WINDOW), charge("a", 2, 1, FIXED_WINDOW)};
    Charge[] backward = {forward[1], forward[0]};

    assertThat(admitted(backend.acquire(forward), forward)).isTrue();
    assertThat(admitted(backend.acquire(backward), backward)).isTrue();
    assertThat(admitted(backend.acquire(forward), forward)).isFalse();
    assertThat(backend.size()).isEqualTo(2); // one bucket each, whatever the order
  }

  @Test
  void theSameBucketTwiceInOneRequestIsLockedOnceAndReleased() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge[] twice = {
      charge("a", 10, 1, FIXED_WINDOW),
      charge("b", 10, 1, FIXED_WINDOW),
      charge("a", 10, 1, FIXED_WINDOW)
    };

    // the bucket locks are not reentrant: locking "a" twice would spin forever
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          assertThat(admitted(backend.acquire(twice), twice)).isTrue();
          // and every lock was released: other requests still get through
          assertThat(one(backend, charge("a", 10, 1, FIXED_WINDOW)).allowed()).isTrue();
          assertThat(one(backend, charge("b", 10, 1, FIXED_WINDOW)).allowed()).isTrue();
        });
    assertThat(backend.size()).isEqualTo(2);
  }

  @Test
  void everyOneOfManyClientsKeepsItsOwnCount() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100_000);
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      clients.add("10.1." + (i >> 8) + "." + (i & 255)); // packed as an address
      clients.add("u" + i); // packed as a short id
      clients.add("user-" + i + "@example.org"); // kept as text
      clients.add("2001:db8::" + Integer.toHexString(i));
      clients.add("user-" + (1_000_000 + i)); // packed in two longs
      clients.add("2001:db8:" + Integer.toHexString(i) + ":0:0:0:0:0/64"); // an IPv6 /64, two longs
      clients.add("2001:db8:" + Integer.toHexString(i) + ":0:0:0:0:0/48");
    }
    // equal String hash codes, packed and not
    clients.add("Aa");
    clients.add("BB");
    clients.add("AaAaAaAa");
    clients.add("BBBBBBBB");

    for (int round = 0; round < 3; round++) {
      for (String client : clients) {
        assertThat(one(backend, charge(client, 2, 1, FIXED_WINDOW)).allowed())
            .as("%s, request %d", client, round + 1)
            .isEqualTo(round < 2);
      }
    }
    assertThat(backend.size()).isEqualTo(clients.size());
  }

  @Test
  void observeOnlyChargeNeverBlocksTheRequest() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge dry = observe("dry", 1, 1);
    Charge enforced = charge("enforced", 100, 1, FIXED_WINDOW);
    Charge[] both = {dry, enforced};

    for (int i = 0; i < 5; i++) {
      Outcome[] outcomes = backend.acquire(both);
      assertThat(admitted(outcomes, both)).isTrue();
      assertThat(outcomes[0].allowed()).isEqualTo(i == 0);
    }
    assertThat(one(backend, enforced).remaining()).isEqualTo(100 - 6);
  }

  @Test
  void observeOnlyChargeAloneNeverBlocks() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge[] dry = {observe("dry", 2, 1)};

    for (int i = 0; i < 5; i++) {
      assertThat(admitted(backend.acquire(dry), dry)).isTrue();
    }
  }

  @Test
  void observeOnlyChargeIsCountedOnlyWhenItWouldHaveAdmitted() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);

    assertThat(one(backend, observe("dry", 3, 2)).allowed()).isTrue(); // 2 of 3
    assertThat(one(backend, observe("dry", 3, 2)).allowed()).isFalse(); // not counted
    // were the refused 2 counted, 1 more would not fit
    Outcome last = one(backend, observe("dry", 3, 1));
    assertThat(last.allowed()).isTrue();
    assertThat(last.remaining()).isZero();
  }

  @Test
  void observeOnlyChargeIsNotCountedWhenAnEnforcedChargeBlocks() {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    Charge enforced = charge("enforced", 1, 1, FIXED_WINDOW);
    one(backend, enforced);

    Outcome[] outcomes = backend.acquire(new Charge[] {observe("dry", 5, 1), enforced});
    assertThat(outcomes[0].allowed()).isTrue();
    assertThat(outcomes[1].allowed()).isFalse();

    assertThat(one(backend, observe("dry", 5, 1)).remaining()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void retryAfterIsWhenTheBackendAdmitsAgain(Algorithm algorithm) {
    Random random = new Random(7 + algorithm.ordinal());
    for (int scenario = 0; scenario < 200; scenario++) {
      long limit = 1 + random.nextInt(6);
      long cost = 1 + random.nextInt((int) limit);
      List<long[]> history = new ArrayList<>();
      long now = START + random.nextInt(2 * (int) MINUTE);
      for (int i = 0; i < 8; i++) {
        history.add(new long[] {now, 1 + random.nextInt((int) limit)});
        now += random.nextInt(20_000);
      }
      MemoryBackend backend = replay(history, algorithm, limit);
      clock.set(now);
      Outcome outcome = one(backend, charge("k", limit, cost, algorithm));
      if (outcome.allowed()) {
        continue;
      }
      long retry = outcome.retryAfterMillis();

      MemoryBackend early = replay(history, algorithm, limit);
      clock.set(now + retry - 1);
      assertThat(one(early, charge("k", limit, cost, algorithm)).allowed()).isFalse();
      MemoryBackend onTime = replay(history, algorithm, limit);
      clock.set(now + retry);
      assertThat(one(onTime, charge("k", limit, cost, algorithm)).allowed()).isTrue();
    }
  }

  private MemoryBackend replay(List<long[]> history, Algorithm algorithm, long limit) {
    MemoryBackend backend = new MemoryBackend(clock::get, 100);
    for (long[] step : history) {
      clock.set(step[0]);
      one(backend, charge("k", limit, step[1], algorithm));
    }
    return backend;
  }

  // ---- concurrency

  /**
   * Runs {@code threads} workers, each calling body(i) {@code times} times, all started at once.
   */
  private static void race(int threads, int times, IntConsumer body) throws Exception {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  go.await();
                  for (int i = 0; i < times; i++) {
                    body.accept(id * times + i);
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      worker.setDaemon(true); // a deadlocked worker must not keep the test JVM alive
      workers.add(worker);
      worker.start();
    }
    ready.await();
    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a worker failed", failure.get());
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void concurrentBurstOnOneKeyAdmitsExactlyTheLimit(Algorithm algorithm) throws Exception {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge charge = charge("hot", 1_000, 1, algorithm);
    AtomicInteger admittedCount = new AtomicInteger();

    race(
        8,
        1_000,
        i -> {
          if (one(backend, charge).allowed()) {
            admittedCount.incrementAndGet();
          }
        });

    assertThat(admittedCount.get()).isEqualTo(1_000);
  }

  @Test
  void slidingWindowNeverAdmitsMoreThanTheLimitWithinOneWindow() throws Exception {
    // time moves on with every request but stays inside one window
    AtomicLong ticking = new AtomicLong(START);
    MemoryBackend backend = new MemoryBackend(ticking::incrementAndGet, 1_000);
    Charge charge = Charges.charge(KEY_START, "hot", 100, 1_000_000, 1, SLIDING_WINDOW, false);
    AtomicInteger admittedCount = new AtomicInteger();

    race(
        8,
        1_000,
        i -> {
          if (one(backend, charge).allowed()) {
            admittedCount.incrementAndGet();
          }
        });

    assertThat(ticking.get()).isLessThan(START + 1_000_000);
    assertThat(admittedCount.get()).isEqualTo(100);
  }

  @Test
  void concurrentMultiChargeRequestsAreAllOrNothing() throws Exception {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge scarce = charge("scarce", 300, 1, FIXED_WINDOW);
    Charge shared = charge("shared", 1_000_000, 1, FIXED_WINDOW);
    Charge[] both = {shared, scarce};
    Charge[] sharedOnly = {shared};
    AtomicInteger pairs = new AtomicInteger();
    AtomicInteger singles = new AtomicInteger();

    race(
        8,
        1_000,
        i -> {
          if (i % 2 == 0) {
            if (admitted(backend.acquire(both), both)) {
              pairs.incrementAndGet();
            }
          } else if (admitted(backend.acquire(sharedOnly), sharedOnly)) {
            singles.incrementAndGet();
          }
        });

    assertThat(pairs.get()).isEqualTo(300);
    assertThat(singles.get()).isEqualTo(4_000);
    long sharedUsed = 1_000_000 - one(backend, shared).remaining() - 1;
    assertThat(sharedUsed).isEqualTo(pairs.get() + singles.get());
  }

  @Test
  void sweepingWhileMultiChargeRequestsHoldLocksDoesNotDeadlock() {
    // every new key sweeps (bound 1) while other requests hold bucket locks in key order
    MemoryBackend backend = new MemoryBackend(clock::get, 1);
    Charge first = charge("k-a", 1_000_000, 1, FIXED_WINDOW);
    Charge middle = charge("k-b", 1_000_000, 1, FIXED_WINDOW);

    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () ->
            race(
                8,
                2_000,
                i -> {
                  if (i % 2 == 0) {
                    backend.acquire(new Charge[] {first, middle});
                  } else {
                    backend.acquire(
                        new Charge[] {middle, charge("k-c-" + i, 1_000_000, 1, FIXED_WINDOW)});
                  }
                }));
  }

  // ---- bounded memory

  @ParameterizedTest
  @ValueSource(longs = {1, 10}) // one request presses a bucket of limit 1, not one of 10
  void floodOfDistinctLiveKeysStaysWithinTheBound(long limit) {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    int maxSize = 0;

    for (int i = 0; i < 100_000; i++) {
      one(backend, charge("ip-" + i, limit, 1, SLIDING_WINDOW));
      maxSize = Math.max(maxSize, backend.size());
    }

    assertThat(maxSize).isLessThanOrEqualTo(1_000);
    assertThat(backend.size()).isGreaterThan(0);
  }

  @Test
  void floodOfDistinctIdleKeysIsSweptWithinTheBound() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    int maxSize = 0;

    for (int i = 0; i < 100_000; i++) {
      clock.addAndGet(MINUTE); // every earlier key is back to its full limit
      one(backend, charge("ip-" + i, 10, 1, FIXED_WINDOW));
      maxSize = Math.max(maxSize, backend.size());
    }

    assertThat(maxSize).isLessThanOrEqualTo(1_000);
  }

  @Test
  void newClientIsStillLimitedWhenTheBoundIsFullOfLiveClients() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    for (int i = 0; i < 5_000; i++) {
      one(backend, charge("ip-" + i, 10, 1, FIXED_WINDOW));
    }

    Charge newest = charge("newest", 2, 1, FIXED_WINDOW);
    int admittedCount = 0;
    for (int i = 0; i < 10; i++) {
      if (one(backend, newest).allowed()) {
        admittedCount++;
      }
    }

    // the sweep its arrival starts may evict its first count, never more
    assertThat(admittedCount).isBetween(2, 3);
    assertThat(backend.size()).isLessThanOrEqualTo(1_000);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void aFloodOfOneOffClientsDoesNotFreeALimitedClient(Algorithm algorithm) {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge attacker =
        Charges.charge("fastlimit:login:ip:{", "198.51.100.9", 5, MINUTE, 1, algorithm, false);
    for (int i = 0; i < 5; i++) {
      assertThat(one(backend, attacker).allowed()).isTrue();
    }
    assertThat(one(backend, attacker).allowed()).isFalse();

    // 50 times the bound in fresh clients, on the same rule and on another one; a few of them
    // also come back often enough to be pressed themselves, so the second pass runs too
    floodKeepsBlocked(
        backend,
        attacker,
        i -> {
          String bucket = i % 2 == 0 ? "fastlimit:login:ip:{" : "fastlimit:api:ip:{";
          Charge once = Charges.charge(bucket, "flood-" + i, 5, MINUTE, 1, algorithm, false);
          one(backend, once);
          if (i % 500 == 0) {
            for (int j = 0; j < 4; j++) {
              one(backend, once);
            }
          }
          clock.addAndGet(i % 100 == 0 ? 1 : 0);
        });
  }

  /**
   * Sweeps evict and rehash buckets of every size (an id packed in one long, in two, kept as text):
   * a limited client of each kind keeps its bucket through a flood of one-off clients of all kinds.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "198.51.100.9",
        "u42",
        "user-1234567",
        "2001:db8:0:1234:0:0:0:0/64",
        "a-client-id-too-long-to-pack@example.org"
      })
  void aFloodOfOneOffClientsOfEveryKindDoesNotFreeALimitedClientOfAnyKind(String client) {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge attacker =
        Charges.charge("fastlimit:login:ip:{", client, 5, MINUTE, 1, SLIDING_LOG, false);
    for (int i = 0; i < 5; i++) {
      assertThat(one(backend, attacker).allowed()).isTrue();
    }
    assertThat(one(backend, attacker).allowed()).isFalse();

    floodKeepsBlocked(
        backend,
        attacker,
        i -> {
          String id =
              switch (i % 4) {
                case 0 -> "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
                case 1 -> "flood-" + i;
                case 2 -> "2001:db8:" + Integer.toHexString(i) + ":0:0:0:0:0/64";
                default -> "a-one-off-client-with-a-long-id-" + i;
              };
          one(
              backend,
              Charges.charge("fastlimit:login:ip:{", id, 5, MINUTE, 1, SLIDING_LOG, false));
          clock.addAndGet(i % 100 == 0 ? 1 : 0);
        });
  }

  /** Runs 50,000 flood steps (50 times the bound of 1,000); the attacker stays blocked. */
  private static void floodKeepsBlocked(
      MemoryBackend backend, Charge attacker, IntConsumer floodStep) {
    for (int i = 0; i < 50_000; i++) {
      floodStep.accept(i);
      if (i % 1_000 == 0) {
        assertThat(one(backend, attacker).allowed()).as("after %d clients", i).isFalse();
      }
    }
    assertThat(one(backend, attacker).allowed()).isFalse();
    assertThat(backend.size()).isLessThanOrEqualTo(1_000);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void aFloodOfOneOffClientsOnALimitOfOneDoesNotFreeALimitedClient(Algorithm algorithm) {
    // with a limit of 1 a single request uses it all: every flood bucket is at its limit too
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge attacker =
        Charges.charge("fastlimit:reset:ip:{", "198.51.100.9", 1, MINUTE, 1, algorithm, false);
    assertThat(one(backend, attacker).allowed()).isTrue();
    assertThat(one(backend, attacker).allowed()).isFalse();

    floodKeepsBlocked(
        backend,
        attacker,
        i -> {
          String client = "flood-" + i;
          one(
              backend,
              Charges.charge("fastlimit:reset:ip:{", client, 1, MINUTE, 1, algorithm, false));
        });
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void aFloodOfClientsUsingOverHalfTheirLimitDoesNotFreeABlockedClient(Algorithm algorithm) {
    // issue 10.5: max-keys 1000, 5,000 identities sending two requests each on a 3/min limit
    // (over half of it, so every flood counter looks worth keeping too)
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge blocked =
        Charges.charge("fastlimit:login:ip:{", "198.51.100.9", 3, MINUTE, 1, algorithm, false);
    for (int i = 0; i < 3; i++) {
      assertThat(one(backend, blocked).allowed()).isTrue();
    }
    assertThat(one(backend, blocked).allowed()).isFalse();

    for (int i = 0; i < 5_000; i++) {
      Charge client =
          Charges.charge("fastlimit:login:ip:{", "flood-" + i, 3, MINUTE, 1, algorithm, false);
      one(backend, client);
      one(backend, client);
    }

    assertThat(one(backend, blocked).allowed()).isFalse();
    assertThat(backend.size()).isLessThanOrEqualTo(1_000);
  }

  /** {@code count} clients on a 1/window limit, each blocked by its second request. */
  private static void blockClients(
      MemoryBackend backend, String prefix, int count, long window, Algorithm algorithm) {
    for (int i = 0; i < count; i++) {
      Charge client =
          Charges.charge("fastlimit:login:ip:{", prefix + i, 1, window, 1, algorithm, false);
      assertThat(one(backend, client).allowed()).isTrue();
      assertThat(one(backend, client).allowed()).isFalse();
    }
  }

  private static Charge newClient(String id) {
    return Charges.charge("fastlimit:api:ip:{", id, 5, MINUTE, 1, FIXED_WINDOW, false);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void newClientsAreRefusedWhileClientsThatAreBlockedFillTheBound(Algorithm algorithm) {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    blockClients(backend, "blocked-", 1_000, MINUTE, algorithm);

    for (int i = 0; i < 100; i++) {
      Outcome outcome = one(backend, newClient("new-" + i));
      assertThat(outcome.allowed()).as("new client %d", i).isFalse();
      assertThat(outcome.retryAfterMillis()).isPositive();
    }

    assertThat(backend.newClientsRefused()).isEqualTo(100);
    assertThat(backend.size()).isLessThanOrEqualTo(1_000);
    Charge first =
        Charges.charge("fastlimit:login:ip:{", "blocked-0", 1, MINUTE, 1, algorithm, false);
    assertThat(one(backend, first).allowed()).isFalse();
  }

  @Test
  void refusedNewClientsGetRoomWhenTheFirstBlockedClientIsFullAgain() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    blockClients(backend, "minute-", 950, MINUTE, FIXED_WINDOW);
    blockClients(backend, "ten-seconds-", 50, 10_000, FIXED_WINDOW); // full again at START + 10s
    clock.addAndGet(1_000);

    Outcome refused = one(backend, newClient("early"));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterMillis()).isEqualTo(9_000);

    clock.set(START + 10_000);
    int admittedCount = 0;
    for (int i = 0; i < 100; i++) {
      if (one(backend, newClient("late-" + i)).allowed()) {
        admittedCount++;
      }
    }

    // the 50 slots of those full again, not one of the 950 still blocking their clients
    assertThat(admittedCount).isEqualTo(50);
    assertThat(backend.size()).isLessThanOrEqualTo(1_000);
    Charge stillBlocked =
        Charges.charge("fastlimit:login:ip:{", "minute-7", 1, MINUTE, 1, FIXED_WINDOW, false);
    assertThat(one(backend, stillBlocked).allowed()).isFalse();
  }

  @Test
  void aRefusedNewClientIsNotCountedAndStartsAfreshOnceThereIsRoom() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    blockClients(backend, "blocked-", 1_000, MINUTE, FIXED_WINDOW);
    for (int i = 0; i < 10; i++) {
      assertThat(one(backend, newClient("newcomer")).allowed()).isFalse();
    }

    clock.set(START + MINUTE); // every blocked client is full again

    Outcome first = one(backend, newClient("newcomer"));
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(4);
  }

  @Test
  void aRequestWithARefusedNewClientConsumesFromNoOtherBucket() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    blockClients(backend, "minute-", 950, MINUTE, FIXED_WINDOW);
    blockClients(backend, "ten-seconds-", 50, 10_000, FIXED_WINDOW);
    clock.set(START + 10_000);
    one(backend, newClient("first")); // its sweep frees the 50 slots of those full again
    Charge user =
        Charges.charge("fastlimit:api:user:{", "alice", 100, MINUTE, 1, FIXED_WINDOW, false);
    assertThat(one(backend, user).remaining()).isEqualTo(99);
    blockClients(backend, "more-", 1_000 - backend.size(), MINUTE, FIXED_WINDOW); // full again

    Charge[] both = {user, newClient("203.0.113.5")};
    Outcome[] outcomes = backend.acquire(both);

    assertThat(outcomes[1].allowed()).isFalse();
    assertThat(admitted(outcomes, both)).isFalse();
    assertThat(one(backend, user).remaining()).isEqualTo(98); // only this request took from it
  }

  @Test
  void aRefusedNewClientOnADryRunRuleDoesNotBlockTheRequest() {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    blockClients(backend, "blocked-", 1_000, MINUTE, FIXED_WINDOW);
    Charge[] dry = {observe("never-seen", 5, 1)};

    Outcome[] outcomes = backend.acquire(dry);

    assertThat(outcomes[0].allowed()).isFalse(); // counted as a would-block
    assertThat(admitted(outcomes, dry)).isTrue();
  }

  @Test
  void manyThreadsFloodingWithClientsThatGetBlockedStayWithinAnEighthOverTheBound()
      throws Exception {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    Charge blocked =
        Charges.charge("fastlimit:login:ip:{", "198.51.100.9", 1, MINUTE, 1, SLIDING_WINDOW, false);
    one(backend, blocked);
    AtomicInteger maxSize = new AtomicInteger();

    race(
        8,
        2_000,
        i -> {
          Charge client =
              Charges.charge(
                  "fastlimit:login:ip:{", "flood-" + i, 1, MINUTE, 1, SLIDING_WINDOW, false);
          one(backend, client);
          one(backend, client);
          maxSize.accumulateAndGet(backend.size(), Math::max);
        });

    assertThat(maxSize.get()).isLessThanOrEqualTo(1_000 + 1_000 / 8);
    assertThat(one(backend, blocked).allowed()).isFalse();
    assertThat(backend.newClientsRefused()).isPositive();
  }

  @Test
  void refusingNewClientsIsLoggedOnceWhenItStartsAndOnceWhenItEnds() {
    CapturedLog log = new CapturedLog();
    log.start();
    long refused;
    try {
      MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
      blockClients(backend, "minute-", 950, MINUTE, FIXED_WINDOW);
      blockClients(backend, "ten-seconds-", 50, 10_000, FIXED_WINDOW);
      for (int i = 0; i < 300; i++) {
        // at 10 s a sweep frees 50 slots and, the rest still blocking, goes on refusing
        clock.set(START + (i < 100 ? 1_000 : 10_000));
        one(backend, newClient("new-" + i));
      }
      clock.set(START + MINUTE);
      assertThat(one(backend, newClient("after")).allowed()).isTrue();
      refused = backend.newClientsRefused();
      one(backend, newClient("after-2")); // and a later sweep finds nothing more to say
    } finally {
      log.stop();
    }

    assertThat(refused).isEqualTo(300 - 50);
    String text = log.text();
    assertThat(text.split("clients without a counter are refused", -1)).hasSize(2);
    assertThat(text.split("room for new clients again", -1)).hasSize(2);
    assertThat(text)
        .contains("1000 of the 1000 counters memory.max-keys allows block their clients")
        .contains("room for new clients again; 250 requests of new clients were refused");
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void droppingIdleBucketsChangesNoAnswer(Algorithm algorithm) {
    // bound 3: each new noise key sweeps; "a" and "b" must answer as if never dropped
    MemoryBackend swept = new MemoryBackend(clock::get, 3);
    AtomicLong referenceClock = new AtomicLong();
    MemoryBackend reference = new MemoryBackend(referenceClock::get, 1_000_000);
    Random random = new Random(42 + algorithm.ordinal());
    int dropped = 0;

    for (int step = 0; step < 3_000; step++) {
      long advance = 1 + (random.nextBoolean() ? random.nextInt(100) : random.nextInt(3_000));
      clock.addAndGet(advance);
      referenceClock.set(clock.get());
      String key = random.nextBoolean() ? "a" : "b";
      long cost = 1 + random.nextInt(3);
      Charge charge = Charges.charge(KEY_START, key, 5, 1_000, cost, algorithm, false);

      Outcome expected = one(reference, charge);
      Outcome actual = one(swept, charge);

      assertThat(describe(actual)).as("step %d key %s", step, key).isEqualTo(describe(expected));
      // a noise key that is idle 1 ms later, so the next one sweeps it away
      int before = swept.size();
      one(swept, Charges.charge(KEY_START, "noise-" + step, 1, 1, 1, FIXED_WINDOW, false));
      if (swept.size() <= before) {
        dropped++;
      }
      assertThat(swept.size()).isLessThanOrEqualTo(3);
    }
    assertThat(dropped).as("sweeps that dropped buckets").isGreaterThan(100);
    assertThat(reference.size()).isEqualTo(2);
  }

  private static String describe(Outcome outcome) {
    return outcome.allowed()
        + " remaining="
        + outcome.remaining()
        + " reset="
        + outcome.resetAtMillis()
        + " retry="
        + outcome.retryAfterMillis();
  }

  @Test
  void idleBucketIsDroppedOnlyAfterItsWindow() {
    MemoryBackend backend = new MemoryBackend(clock::get, 2);
    one(backend, Charges.charge(KEY_START, "live", 5, MINUTE, 1, FIXED_WINDOW, false));
    one(backend, Charges.charge(KEY_START, "old", 5, 1, 1, FIXED_WINDOW, false));
    clock.addAndGet(1);

    one(backend, Charges.charge(KEY_START, "new", 5, MINUTE, 1, FIXED_WINDOW, false));

    // the bound of 2 made room by dropping "old", idle: "live" keeps its count
    assertThat(backend.size()).isEqualTo(2);
    Charge live = Charges.charge(KEY_START, "live", 5, MINUTE, 1, FIXED_WINDOW, false);
    assertThat(one(backend, live).remaining()).isEqualTo(3);
    assertThat(backend.size()).isEqualTo(2);
  }

  @Test
  void theDefaultClockNeverGoesBackwards() {
    java.util.function.LongSupplier clock = MemoryBackend.monotonicClock();
    long previous = clock.getAsLong();
    org.assertj.core.api.Assertions.assertThat(previous)
        .isCloseTo(System.currentTimeMillis(), org.assertj.core.api.Assertions.within(1000L));
    for (int i = 0; i < 100_000; i++) {
      long now = clock.getAsLong();
      org.assertj.core.api.Assertions.assertThat(now).isGreaterThanOrEqualTo(previous);
      previous = now;
    }
  }
}
