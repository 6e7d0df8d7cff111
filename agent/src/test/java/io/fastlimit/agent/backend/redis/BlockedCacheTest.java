package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.rules.Algorithm;
import org.junit.jupiter.api.Test;

class BlockedCacheTest {

  private static final long MS = 1_000_000L;
  private static final String KEY_START = "test:ip:{";

  private static Charge charge(String client, boolean observeOnly) {
    return Charges.charge(KEY_START, client, 5, 60_000, 1, Algorithm.FIXED_WINDOW, observeOnly);
  }

  private static Outcome blocked(long retryAfter) {
    return new Outcome(false, 0, 60_000, retryAfter, 5_000); // Redis's time, not this JVM's
  }

  @Test
  void answersWithTheRetryAfterLessTheTimeElapsed() {
    BlockedCache cache = new BlockedCache(10);
    Charge[] charges = {charge("a", false)};
    cache.remember(charges, new Outcome[] {blocked(1_000)}, 0);
    Outcome[] answer = cache.answer(charges, 400 * MS, 400);
    assertThat(answer[0].allowed()).isFalse();
    assertThat(answer[0].retryAfterMillis()).isEqualTo(600);
    // Redis's time then, moved on by the time elapsed here
    assertThat(answer[0].decidedAtMillis()).isEqualTo(5_400);
    assertThat(cache.answer(charges, 1_000 * MS, 1_000)).as("expired").isNull();
  }

  @Test
  void aLongBlockIsAskedAgainAfterTheTrustedTime() {
    BlockedCache cache = new BlockedCache(10);
    Charge[] charges = {charge("a", false)};
    cache.remember(charges, new Outcome[] {blocked(3_600_000)}, 0);
    long trusted = BlockedCache.TRUSTED_FOR_MILLIS;
    assertThat(cache.answer(charges, (trusted - 1) * MS, trusted - 1)).isNotNull();
    assertThat(cache.answer(charges, trusted * MS, trusted)).as("asked again").isNull();
  }

  @Test
  void aChargeRedisAdmitsIsForgotten() {
    BlockedCache cache = new BlockedCache(10);
    Charge[] both = {charge("a", false), charge("b", false)};
    cache.remember(new Charge[] {both[0]}, new Outcome[] {blocked(60_000)}, 0);
    // asked with b, which is not cached: Redis admits a again (its key was deleted)
    Outcome admitted = new Outcome(true, 4, 0, 0, MS);
    cache.remember(both, new Outcome[] {admitted, admitted}, MS);
    assertThat(cache.answer(new Charge[] {both[0]}, 2 * MS, 2)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void answersOnlyWhenEveryEnforcedChargeIsBlocked() {
    BlockedCache cache = new BlockedCache(10);
    Charge[] charges = {charge("a", false), charge("b", false), charge("seen", true)};
    cache.remember(
        charges, new Outcome[] {blocked(1_000), new Outcome(true, 1, 0, 0, 0), blocked(1_000)}, 0);
    assertThat(cache.answer(charges, MS, 1)).isNull();
    assertThat(cache.size()).as("observe-only blocks are not kept").isEqualTo(1);
    Outcome[] answer = cache.answer(new Charge[] {charges[0], charges[2]}, MS, 1);
    assertThat(answer).extracting(Outcome::allowed).containsExactly(false, true);
  }

  /** Answered here, counted nowhere: count: failures must never give such a charge back. */
  @Test
  void itsAnswersAreNotCounted() {
    BlockedCache cache = new BlockedCache(10);
    Charge[] charges = {charge("a", false), charge("seen", true)};
    cache.remember(new Charge[] {charges[0]}, new Outcome[] {blocked(1_000)}, 0);
    Outcome[] answer = cache.answer(charges, MS, 1);
    assertThat(answer).extracting(Outcome::allowed).containsExactly(false, true);
    assertThat(answer).extracting(Outcome::counted).containsExactly(false, false);
  }

  @Test
  void aChangedRateIsAskedAgain() {
    BlockedCache cache = new BlockedCache(10);
    cache.remember(new Charge[] {charge("a", false)}, new Outcome[] {blocked(1_000)}, 0);
    Charge raised = Charges.charge(KEY_START, "a", 50, 60_000, 1, Algorithm.FIXED_WINDOW, false);
    assertThat(cache.answer(new Charge[] {raised}, MS, 1)).isNull();
  }

  @Test
  void holdsNoMoreThanItsBound() {
    BlockedCache cache = new BlockedCache(3);
    for (int i = 0; i < 100; i++) {
      cache.remember(new Charge[] {charge("k" + i, false)}, new Outcome[] {blocked(60_000)}, 0);
    }
    assertThat(cache.size()).isEqualTo(3);
  }
}
