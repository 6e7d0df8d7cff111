package io.fastlimit.agent.backend;

import static io.fastlimit.agent.rules.Algorithm.FIXED_WINDOW;
import static io.fastlimit.agent.rules.Algorithm.SLIDING_LOG;
import static io.fastlimit.agent.rules.Algorithm.SLIDING_WINDOW;
import static io.fastlimit.agent.rules.Algorithm.TOKEN_BUCKET;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.rules.Algorithm;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BucketStateTest {

  private static final long MINUTE = 60_000;

  /** A time on a minute (and second) boundary, far from epoch 0. */
  private static final long START = 28_333_334L * MINUTE;

  /** A check that consumes when it admits, as the backend does for a lone charge. */
  private static Outcome take(
      BucketState state, Algorithm algorithm, long limit, long window, long cost, long now) {
    Outcome outcome = state.check(algorithm, limit, window, cost, now);
    if (outcome.allowed()) {
      state.commit(window, cost);
    }
    return outcome;
  }

  private static int burst(
      BucketState state,
      Algorithm algorithm,
      long limit,
      long window,
      long cost,
      long now,
      int attempts) {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (take(state, algorithm, limit, window, cost, now).allowed()) {
        admitted++;
      }
    }
    return admitted;
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void burstAtOneInstantAdmitsExactlyTheLimit(Algorithm algorithm) {
    for (long offset : new long[] {0, 1, 12_345, MINUTE - 1}) {
      BucketState state = new BucketState();

      assertThat(burst(state, algorithm, 10, MINUTE, 1, START + offset, 50))
          .as("%s at +%d ms", algorithm, offset)
          .isEqualTo(10);
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void costAboveOneTakesThatManyFromTheLimit(Algorithm algorithm) {
    BucketState state = new BucketState();

    Outcome first = take(state, algorithm, 10, MINUTE, 3, START + 5);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(7);
    assertThat(burst(state, algorithm, 10, MINUTE, 3, START + 5, 10)).isEqualTo(2);
    Outcome blocked = state.check(algorithm, 10, MINUTE, 3, START + 5);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.remaining()).isEqualTo(1);
    // the one left still fits a cheaper request
    assertThat(take(state, algorithm, 10, MINUTE, 1, START + 5).allowed()).isTrue();
    assertThat(state.check(algorithm, 10, MINUTE, 1, START + 5).allowed()).isFalse();
  }

  @Test
  void fixedWindowReportsRemainingResetAndRetry() {
    BucketState state = new BucketState();
    long now = START + 10_000;

    Outcome first = take(state, FIXED_WINDOW, 5, MINUTE, 1, now);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(4);
    assertThat(first.resetAtMillis()).isEqualTo(START + MINUTE);
    assertThat(first.retryAfterMillis()).isZero();

    burst(state, FIXED_WINDOW, 5, MINUTE, 1, now, 4);
    Outcome blocked = state.check(FIXED_WINDOW, 5, MINUTE, 1, now);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.remaining()).isZero();
    assertThat(blocked.resetAtMillis()).isEqualTo(START + MINUTE);
    assertThat(blocked.retryAfterMillis()).isEqualTo(50_000);
  }

  @Test
  void slidingWindowReportsRemainingResetAndRetry() {
    BucketState state = new BucketState();
    long now = START + 10_000;

    Outcome first = take(state, SLIDING_WINDOW, 5, MINUTE, 1, now);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(4);
    // the count slides out entirely only at the end of the next window
    assertThat(first.resetAtMillis()).isEqualTo(START + 2 * MINUTE);
    assertThat(first.retryAfterMillis()).isZero();

    burst(state, SLIDING_WINDOW, 5, MINUTE, 1, now, 4);
    Outcome blocked = state.check(SLIDING_WINDOW, 5, MINUTE, 1, now);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.remaining()).isZero();
    // next window, once 5 x (60000 - e) / 60000 <= 4, i.e. e = 12000
    assertThat(blocked.retryAfterMillis()).isEqualTo(MINUTE + 12_000 - 10_000);
  }

  @Test
  void tokenBucketReportsRemainingResetAndRetry() {
    BucketState state = new BucketState();
    long now = START + 10_000;

    Outcome first = take(state, TOKEN_BUCKET, 5, MINUTE, 1, now);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(4);
    // one token comes back every 12 s
    assertThat(first.resetAtMillis()).isEqualTo(now + 12_000);
    assertThat(first.retryAfterMillis()).isZero();

    burst(state, TOKEN_BUCKET, 5, MINUTE, 1, now, 4);
    Outcome blocked = state.check(TOKEN_BUCKET, 5, MINUTE, 1, now);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.remaining()).isZero();
    assertThat(blocked.resetAtMillis()).isEqualTo(now + MINUTE);
    assertThat(blocked.retryAfterMillis()).isEqualTo(12_000);
    Outcome forThree = state.check(TOKEN_BUCKET, 5, MINUTE, 3, now);
    assertThat(forThree.retryAfterMillis()).isEqualTo(36_000);
  }

  @Test
  void fixedWindowResetsAtEpochAlignedBoundariesNotAtTheFirstRequest() {
    BucketState state = new BucketState();

    assertThat(burst(state, FIXED_WINDOW, 3, MINUTE, 1, START + MINUTE - 1_000, 10)).isEqualTo(3);
    assertThat(state.check(FIXED_WINDOW, 3, MINUTE, 1, START + MINUTE - 1).allowed()).isFalse();
    // one second after the first request, because the window is the clock's minute
    assertThat(burst(state, FIXED_WINDOW, 3, MINUTE, 1, START + MINUTE, 10)).isEqualTo(3);
    assertThat(burst(state, FIXED_WINDOW, 3, MINUTE, 1, START + 2 * MINUTE - 1, 10)).isZero();
    assertThat(burst(state, FIXED_WINDOW, 3, MINUTE, 1, START + 5 * MINUTE + 59_999, 10))
        .isEqualTo(3);
  }

  @Test
  void slidingWindowCountsThePreviousWindowByItsRemainingOverlap() {
    BucketState state = new BucketState();
    long window = 1_000;
    assertThat(burst(state, SLIDING_WINDOW, 10, window, 1, START + 900, 10)).isEqualTo(10);

    // 300 ms into the next window the previous 10 weigh 10 x 700/1000 = 7: 3 fit
    assertThat(burst(state, SLIDING_WINDOW, 10, window, 1, START + window + 300, 10)).isEqualTo(3);
    // 200 ms later they weigh 5 and the current window holds 3: 2 more fit
    assertThat(burst(state, SLIDING_WINDOW, 10, window, 1, START + window + 500, 10)).isEqualTo(2);
    // in its last millisecond the previous window weighs 0.01: 5 + 1 + 0.01 leave 3 whole
    Outcome late = state.check(SLIDING_WINDOW, 10, window, 1, START + 2 * window - 1);
    assertThat(late.allowed()).isTrue();
    assertThat(late.remaining()).isEqualTo(3);
    // a window on, the current 5 become the previous ones at full weight
    Outcome next = state.check(SLIDING_WINDOW, 10, window, 1, START + 2 * window);
    assertThat(next.remaining()).isEqualTo(4);
  }

  @Test
  void slidingWindowForgetsAWindowThatIsNotAdjacent() {
    BucketState state = new BucketState();
    burst(state, SLIDING_WINDOW, 10, 1_000, 1, START, 10);

    assertThat(burst(state, SLIDING_WINDOW, 10, 1_000, 1, START + 2_000, 20)).isEqualTo(10);
  }

  @Test
  void tokenBucketRefillsContinuouslyAtTheLimitPerWindow() {
    BucketState state = new BucketState();
    long window = 1_000; // 10 per second: one token every 100 ms
    assertThat(burst(state, TOKEN_BUCKET, 10, window, 1, START, 20)).isEqualTo(10);

    assertThat(state.check(TOKEN_BUCKET, 10, window, 1, START + 99).allowed()).isFalse();
    assertThat(burst(state, TOKEN_BUCKET, 10, window, 1, START + 100, 5)).isEqualTo(1);
    // 150 ms later: one and a half tokens, of which one can be spent
    Outcome half = take(state, TOKEN_BUCKET, 10, window, 1, START + 250);
    assertThat(half.allowed()).isTrue();
    assertThat(half.remaining()).isZero();
    // the half token is kept: 50 ms more make it whole
    assertThat(state.check(TOKEN_BUCKET, 10, window, 1, START + 299).allowed()).isFalse();
    assertThat(take(state, TOKEN_BUCKET, 10, window, 1, START + 300).allowed()).isTrue();
  }

  @Test
  void tokenBucketNeverHoldsMoreThanTheLimit() {
    BucketState state = new BucketState();
    take(state, TOKEN_BUCKET, 10, 1_000, 1, START);

    assertThat(burst(state, TOKEN_BUCKET, 10, 1_000, 1, START + 1_000_000, 30)).isEqualTo(10);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void newBucketIsIdleAndBecomesIdleAgainAtItsReset(Algorithm algorithm) {
    BucketState state = new BucketState();
    assertThat(state.isIdle(START)).isTrue();

    Outcome outcome = take(state, algorithm, 5, MINUTE, 2, START + 7);

    assertThat(state.isIdle(outcome.resetAtMillis() - 1)).isFalse();
    assertThat(state.isIdle(outcome.resetAtMillis())).isTrue();
  }

  @Test
  void changingTheAlgorithmStartsTheBucketAfresh() {
    BucketState state = new BucketState();
    burst(state, FIXED_WINDOW, 3, MINUTE, 1, START, 3);

    assertThat(burst(state, TOKEN_BUCKET, 3, MINUTE, 1, START, 10)).isEqualTo(3);
  }

  // ---- the contract, checked over many histories: what a client is told is true

  /** One request in a history: when, and at what cost. */
  private record Step(long at, long cost) {}

  private static BucketState replay(
      List<Step> history, Algorithm algorithm, long limit, long window) {
    BucketState state = new BucketState();
    for (Step step : history) {
      take(state, algorithm, limit, window, step.cost(), step.at());
    }
    return state;
  }

  /** How many requests of cost 1 are admitted at {@code now} after the history. */
  private static long unitRequestsThatFit(
      List<Step> history, Algorithm algorithm, long limit, long window, long now) {
    BucketState state = replay(history, algorithm, limit, window);
    return burst(state, algorithm, limit, window, 1, now, (int) limit + 1);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void whatClientsAreToldHoldsOverRandomHistories(Algorithm algorithm) {
    Random random = new Random(20240607L + algorithm.ordinal());
    int blockedSeen = 0;
    for (long limit : new long[] {1, 2, 3, 5, 7}) {
      for (long window : new long[] {1, 2, 7, 1_000, MINUTE}) {
        for (int scenario = 0; scenario < 60; scenario++) {
          long now = START + random.nextInt((int) Math.min(window * 2, 100_000));
          List<Step> history = new ArrayList<>();
          for (int step = 0; step < 14; step++) {
            switch (random.nextInt(4)) {
              case 0 -> {}
              case 1 -> now += 1;
              case 2 -> now += random.nextLong(window) + 1;
              default -> now += random.nextLong(3 * window) + 1;
            }
            long cost = 1 + random.nextLong(limit);
            String where =
                String.format(
                    "%s limit=%d window=%d cost=%d at +%d after %s",
                    algorithm, limit, window, cost, now - START, history);
            BucketState state = replay(history, algorithm, limit, window);
            Outcome outcome = state.check(algorithm, limit, window, cost, now);

            if (outcome.allowed()) {
              assertThat(outcome.retryAfterMillis()).as(where).isZero();
              history.add(new Step(now, cost));
              assertThat(unitRequestsThatFit(history, algorithm, limit, window, now))
                  .as("remaining after admission, " + where)
                  .isEqualTo(outcome.remaining());
            } else {
              blockedSeen++;
              long retry = outcome.retryAfterMillis();
              assertThat(retry).as(where).isPositive();
              assertThat(unitRequestsThatFit(history, algorithm, limit, window, now))
                  .as("remaining when blocked, " + where)
                  .isEqualTo(outcome.remaining());
              assertThat(
                      replay(history, algorithm, limit, window)
                          .check(algorithm, limit, window, cost, now + retry - 1)
                          .allowed())
                  .as("admitted 1 ms before Retry-After, " + where)
                  .isFalse();
              assertThat(
                      replay(history, algorithm, limit, window)
                          .check(algorithm, limit, window, cost, now + retry)
                          .allowed())
                  .as("not admitted at Retry-After, " + where)
                  .isTrue();
            }
            assertThat(
                    unitRequestsThatFit(history, algorithm, limit, window, outcome.resetAtMillis()))
                .as("full limit at reset, " + where)
                .isEqualTo(limit);
          }
        }
      }
    }
    assertThat(blockedSeen).as("histories that reach a block").isGreaterThan(1_000);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void retryAfterIsExactAtEveryPositionInTheWindowForEveryCost(Algorithm algorithm) {
    long window = 10;
    for (long limit = 1; limit <= 4; limit++) {
      for (long firstAt = 0; firstAt < 2 * window; firstAt++) {
        for (long firstCost = 1; firstCost <= limit; firstCost++) {
          for (long gap = 0; gap < 2 * window; gap++) {
            for (long cost = 1; cost <= limit; cost++) {
              List<Step> history = new ArrayList<>();
              history.add(new Step(START + firstAt, firstCost));
              history.add(new Step(START + firstAt + gap, limit)); // try to use it all up
              long now = START + firstAt + gap;
              Outcome outcome =
                  replay(history, algorithm, limit, window)
                      .check(algorithm, limit, window, cost, now);
              if (outcome.allowed()) {
                continue;
              }
              long retry = outcome.retryAfterMillis();
              String where = String.format("limit=%d cost=%d after %s", limit, cost, history);
              assertThat(
                      replay(history, algorithm, limit, window)
                          .check(algorithm, limit, window, cost, now + retry - 1)
                          .allowed())
                  .as("admitted 1 ms early, " + where)
                  .isFalse();
              assertThat(
                      replay(history, algorithm, limit, window)
                          .check(algorithm, limit, window, cost, now + retry)
                          .allowed())
                  .as("blocked at Retry-After, " + where)
                  .isTrue();
            }
          }
        }
      }
    }
  }

  @Test
  void remainingIsNeverNegativeWhenAReloadLowersTheLimitUnderTheCount() {
    for (Algorithm algorithm : Algorithm.values()) {
      BucketState state = new BucketState();
      for (int i = 0; i < 10; i++) {
        state.check(algorithm, 10, 60_000, 1, 1_000);
        state.commit(60_000, 1);
      }
      Outcome lowered = state.check(algorithm, 3, 60_000, 1, 1_001);
      org.assertj.core.api.Assertions.assertThat(lowered.allowed()).as("%s", algorithm).isFalse();
      org.assertj.core.api.Assertions.assertThat(lowered.remaining()).as("%s", algorithm).isZero();
    }
  }

  // ---- sliding log: exact, held against a model that keeps every admitted request

  /**
   * Walks random request times and costs on a fake clock and checks every answer against a list of
   * the admitted requests: admitted exactly when the last window length holds room for the cost, so
   * that no rolling window of that length ever holds more than the limit.
   */
  @Test
  void slidingLogAnswersExactlyWhatTheRequestsInTheLastWindowAllow() {
    Random random = new Random(20261202L);
    int blocked = 0;
    int admitted = 0;
    for (long limit : new long[] {1, 2, 5, 10, 100}) {
      for (long window : new long[] {1, 10, 1_000, MINUTE}) {
        BucketState state = new BucketState();
        List<Step> admittedSteps = new ArrayList<>();
        long now = START + random.nextInt(100_000);
        for (int step = 0; step < 2_000; step++) {
          now += random.nextInt(3) == 0 ? 0 : random.nextLong(Math.max(1, window / limit * 2)) + 1;
          long cost = random.nextInt(4) == 0 ? 1 + random.nextLong(limit) : 1;
          long inWindow = 0;
          long newest = Long.MIN_VALUE;
          for (Step earlier : admittedSteps) {
            if (earlier.at() > now - window) {
              inWindow += earlier.cost();
              newest = earlier.at();
            }
          }
          String where =
              String.format("limit=%d window=%d cost=%d at +%d", limit, window, cost, now - START);
          Outcome outcome = take(state, SLIDING_LOG, limit, window, cost, now);

          assertThat(outcome.allowed()).as(where).isEqualTo(inWindow + cost <= limit);
          if (outcome.allowed()) {
            admitted++;
            admittedSteps.add(new Step(now, cost));
            assertThat(outcome.remaining()).as(where).isEqualTo(limit - inWindow - cost);
            assertThat(outcome.resetAtMillis()).as(where).isEqualTo(now + window);
            assertThat(outcome.retryAfterMillis()).as(where).isZero();
          } else {
            blocked++;
            assertThat(outcome.remaining()).as(where).isEqualTo(limit - inWindow);
            assertThat(outcome.resetAtMillis()).as(where).isEqualTo(newest + window);
            // the moment enough of the oldest entries have left for the cost to fit
            long retryAt = now;
            long left = inWindow;
            for (Step earlier : admittedSteps) {
              if (earlier.at() > now - window && left + cost > limit) {
                left -= earlier.cost();
                retryAt = earlier.at() + window;
              }
            }
            assertThat(outcome.retryAfterMillis()).as(where).isEqualTo(retryAt - now);
            assertThat(outcome.retryAfterMillis()).as(where).isBetween(1L, window);
          }
        }
        // no rolling window of the window's length holds more than the limit
        for (Step end : admittedSteps) {
          long held = 0;
          for (Step other : admittedSteps) {
            if (other.at() > end.at() - window && other.at() <= end.at()) {
              held += other.cost();
            }
          }
          assertThat(held)
              .as("limit=%d window=%d up to +%d", limit, window, end.at() - START)
              .isLessThanOrEqualTo(limit);
        }
      }
    }
    assertThat(blocked).as("blocked requests seen").isGreaterThan(5_000);
    assertThat(admitted).as("admitted requests seen").isGreaterThan(5_000);
  }

  @Test
  void slidingLogRetryAfterIsWhenTheOldestCountedRequestLeaves() {
    BucketState state = new BucketState();
    take(state, SLIDING_LOG, 3, MINUTE, 1, START + 1_000);
    take(state, SLIDING_LOG, 3, MINUTE, 1, START + 20_000);
    take(state, SLIDING_LOG, 3, MINUTE, 1, START + 50_000);

    Outcome blocked = state.check(SLIDING_LOG, 3, MINUTE, 1, START + 55_000);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.retryAfterMillis()).isEqualTo(6_000); // the first leaves at +61 s
    assertThat(blocked.resetAtMillis()).isEqualTo(START + 50_000 + MINUTE);
    Outcome costTwo = state.check(SLIDING_LOG, 3, MINUTE, 2, START + 55_000);
    assertThat(costTwo.retryAfterMillis()).isEqualTo(25_000); // the second leaves at +80 s

    assertThat(state.check(SLIDING_LOG, 3, MINUTE, 1, START + 60_999).allowed()).isFalse();
    Outcome admitted = take(state, SLIDING_LOG, 3, MINUTE, 1, START + 61_000);
    assertThat(admitted.allowed()).isTrue();
    assertThat(admitted.remaining()).isZero();
    assertThat(admitted.resetAtMillis()).isEqualTo(START + 61_000 + MINUTE);
  }

  @Test
  void slidingLogBoundaryBurstAdmitsNoMoreThanTheLimit() {
    // the sliding window lets a full previous window through at its very end and again at the
    // start of the next: the log does not
    BucketState state = new BucketState();
    assertThat(burst(state, SLIDING_LOG, 10, MINUTE, 1, START + MINUTE - 1, 20)).isEqualTo(10);
    assertThat(burst(state, SLIDING_LOG, 10, MINUTE, 1, START + MINUTE, 20)).isZero();
    assertThat(burst(state, SLIDING_LOG, 10, MINUTE, 1, START + 2 * MINUTE - 2, 20)).isZero();
    assertThat(burst(state, SLIDING_LOG, 10, MINUTE, 1, START + 2 * MINUTE - 1, 20)).isEqualTo(10);
  }

  @Test
  void slidingLogKeepsItsCountWhenAReloadRaisesTheLimit() {
    BucketState state = new BucketState();
    burst(state, SLIDING_LOG, 3, MINUTE, 1, START, 3);

    assertThat(burst(state, SLIDING_LOG, 5, MINUTE, 1, START + 1, 10)).isEqualTo(2);
  }

  /** The ring the sliding log keeps its entries in, null while it needs none. */
  private static long[] logRing(BucketState state) throws ReflectiveOperationException {
    Field log = BucketState.class.getDeclaredField("log");
    log.setAccessible(true);
    return (long[]) log.get(state);
  }

  @Test
  void slidingLogKeepsItsOnlyEntryWithoutAnArray() throws Exception {
    BucketState state = new BucketState();
    assertThat(take(state, SLIDING_LOG, 10, MINUTE, 1, START).remaining()).isEqualTo(9);
    assertThat(logRing(state)).as("a client seen once").isNull();
    // the entry left the window: the next one takes its place
    assertThat(take(state, SLIDING_LOG, 10, MINUTE, 1, START + MINUTE).remaining()).isEqualTo(9);
    assertThat(logRing(state)).isNull();
    Outcome second = take(state, SLIDING_LOG, 10, MINUTE, 2, START + MINUTE + 5);
    assertThat(second.remaining()).isEqualTo(7);
    assertThat(logRing(state)).as("three entries").hasSizeGreaterThanOrEqualTo(3);
    Outcome blocked = state.check(SLIDING_LOG, 3, MINUTE, 1, START + MINUTE + 6);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.retryAfterMillis()).isEqualTo(MINUTE - 6);
  }

  @Test
  void slidingLogOfLimitOneAnswersFromItsOnlyEntry() throws Exception {
    BucketState state = new BucketState();
    assertThat(take(state, SLIDING_LOG, 1, MINUTE, 1, START + 7).allowed()).isTrue();
    Outcome blocked = take(state, SLIDING_LOG, 1, MINUTE, 1, START + 1_007);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.retryAfterMillis()).isEqualTo(MINUTE - 1_000);
    assertThat(blocked.resetAtMillis()).isEqualTo(START + 7 + MINUTE);
    assertThat(take(state, SLIDING_LOG, 1, MINUTE, 1, START + 7 + MINUTE).allowed()).isTrue();
    assertThat(logRing(state)).isNull();

    state.giveBack(SLIDING_LOG, 1, MINUTE, 1, START + 8 + MINUTE); // not its time: stays
    assertThat(state.check(SLIDING_LOG, 1, MINUTE, 1, START + 9 + MINUTE).allowed()).isFalse();
    state.giveBack(SLIDING_LOG, 1, MINUTE, 1, START + 7 + MINUTE);
    assertThat(take(state, SLIDING_LOG, 1, MINUTE, 1, START + 9 + MINUTE).allowed()).isTrue();
    assertThat(state.isIdle(START + 9 + 2 * MINUTE)).isTrue();
  }

  /**
   * A token-bucket check timed before the bucket's last refill (a thread that read the clock before
   * another drained the bucket) must not date the bucket's full time from its own older now: a
   * sweep in between would drop the bucket as idle while it is not full yet, and hand the client
   * its whole capacity early.
   */
  @Test
  void aStaleCheckNeverMakesABucketLookFullBeforeItIs() {
    BucketState bucket = new BucketState();
    long limit = 10;
    long window = 1_000; // a token every 100 ms
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.check(Algorithm.TOKEN_BUCKET, limit, window, 1, 1_000).allowed()).isTrue();
      bucket.commit(window, 1);
    }
    // drained at 1000: full again at 2000
    Outcome stale = bucket.check(Algorithm.TOKEN_BUCKET, limit, window, 1, 900);
    assertThat(stale.allowed()).isFalse();
    assertThat(bucket.fullAtMillis()).as("full again at").isGreaterThanOrEqualTo(2_000);
    assertThat(bucket.isIdle(1_950)).as("idle (a sweep drops it) at 1950").isFalse();
  }
}
