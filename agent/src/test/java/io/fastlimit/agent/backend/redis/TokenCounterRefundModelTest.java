package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A randomized model check of {@code redis.token-bucket: commands}' give-back ({@code giveback.lua}
 * code 5): the sorted set's two members simulated in memory ({@code ZADD GT F t F f}, {@code
 * ZINCRBY C t}, the refund {@code C - max(0, f - F)}), many random interleavings of 2 to 4
 * requests' steps (their charges' {@code ZADD} and {@code ZINCRBY}, then, for some of them, the
 * give-back), each against the world in which the given-back requests were never sent.
 *
 * <p>A request that is given back must leave the bucket no emptier than if it had never come: after
 * every step of Redis, the score must be at least that of the same steps without the given-back
 * requests' (the ideal), and, at the end, at least that of an exact token bucket charged only the
 * kept requests, in the order of their times. A lower score is admissions an exact bucket would not
 * make.
 */
class TokenCounterRefundModelTest {

  /** How a give-back's refund is computed, in units. */
  interface Refund {
    long of(long cost, long floor, long latest, double score);
  }

  /** giveback.lua code 5: the charge less the time from its floor to the latest. */
  static final Refund BOUNDED = (cost, floor, latest, score) -> cost - Math.max(0, latest - floor);

  /** Before ac18329: the charge in full. */
  static final Refund FULL = (cost, floor, latest, score) -> cost;

  /** The sorted set {@code <bucket>:t}: member t (the score) and f (the latest floor). */
  static final class Bucket {
    Long score;
    Long latest;

    Bucket copy() {
      Bucket copy = new Bucket();
      copy.score = score;
      copy.latest = latest;
      return copy;
    }

    void zaddGt(long floor) {
      // GT never stops a new member from being added
      score = score == null ? floor : Math.max(score, floor);
      latest = latest == null ? floor : Math.max(latest, floor);
    }

    long zincrby(long cost) {
      score = (score == null ? 0 : score) + cost;
      return score;
    }

    void giveBack(Refund rule, long cost, long floor) {
      if (score == null) {
        return; // a key that expired: nothing
      }
      long refund =
          latest == null ? cost : rule.of(cost, floor, latest, score); // latest: always with t here
      if (refund > 0) {
        score -= refund;
      }
    }
  }

  static final class Request {
    final long floor;
    final long cost;
    final boolean givenBack;

    Request(long floor, long cost, boolean givenBack) {
      this.floor = floor;
      this.cost = cost;
      this.givenBack = givenBack;
    }
  }

  /** A step: request {@code request}'s {@code ZADD} (0), {@code ZINCRBY} (1) or give-back (2). */
  static final class Step {
    final int request;
    final int kind;

    Step(int request, int kind) {
      this.request = request;
      this.kind = kind;
    }

    @Override
    public String toString() {
      return "r" + request + (kind == 0 ? ".zadd" : kind == 1 ? ".zincrby" : ".giveback");
    }
  }

  /** What a run found: null when no world lost to the ideal, else why. */
  static String run(Refund rule, Random random, boolean idealKeepsFloors) {
    long perMilli = 1 + random.nextInt(3);
    long perToken = 1 + random.nextInt(5);
    // the capacity is the limit's tokens (window x perMilli = limit x perToken), and a cost is
    // never above the limit (the backend answers such a request by on-error)
    long limit = 1 + random.nextInt(5);
    long capacity = limit * perToken;
    long base = 1_000;
    // the bucket as some earlier, kept requests left it, in time order
    Bucket real = new Bucket();
    int earlier = random.nextInt(4);
    long at = base - 30;
    for (int i = 0; i < earlier; i++) {
      at += random.nextInt(12);
      real.zaddGt(at * perMilli);
      real.zincrby((1 + random.nextInt(3)) * perToken);
    }
    Bucket exactStart = real.copy();
    // 2 to 4 requests, their times within a few ms (or further apart: a give-back long after)
    int n = 2 + random.nextInt(3);
    int spread = new int[] {0, 2, 5, 30}[random.nextInt(4)];
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long time = base + random.nextInt(spread + 1);
      long cost = (1 + random.nextInt((int) Math.min(3, limit))) * perToken;
      requests.add(new Request(time * perMilli, cost, random.nextInt(3) > 0));
    }
    // a random interleaving; each request's steps in order
    int[] next = new int[n];
    List<Step> steps = new ArrayList<>();
    while (true) {
      List<Integer> ready = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (next[i] < (requests.get(i).givenBack ? 3 : 2)) {
          ready.add(i);
        }
      }
      if (ready.isEmpty()) {
        break;
      }
      int i = ready.get(random.nextInt(ready.size()));
      steps.add(new Step(i, next[i]++));
    }
    Bucket ideal = real.copy();
    StringBuilder trace = new StringBuilder();
    trace
        .append("perMilli=")
        .append(perMilli)
        .append(" perToken=")
        .append(perToken)
        .append(" capacity=")
        .append(capacity)
        .append(" start score=")
        .append(real.score)
        .append(" latest=")
        .append(real.latest);
    for (int i = 0; i < n; i++) {
      Request r = requests.get(i);
      trace
          .append("\n r")
          .append(i)
          .append(": F=")
          .append(r.floor)
          .append(" C=")
          .append(r.cost)
          .append(r.givenBack ? " given back" : " kept");
    }
    for (Step step : steps) {
      Request r = requests.get(step.request);
      if (step.kind == 0) {
        real.zaddGt(r.floor);
        if (!r.givenBack || idealKeepsFloors) {
          ideal.zaddGt(r.floor);
        }
      } else if (step.kind == 1) {
        real.zincrby(r.cost);
        if (!r.givenBack) {
          ideal.zincrby(r.cost);
        }
      } else {
        real.giveBack(rule, r.cost, r.floor);
      }
      trace
          .append("\n ")
          .append(step)
          .append(": score=")
          .append(real.score)
          .append(" latest=")
          .append(real.latest)
          .append(" ideal=")
          .append(ideal.score);
      if (ideal.score != null && (real.score == null || real.score < ideal.score)) {
        return "below the ideal after " + step + "\n" + trace;
      }
    }
    // the exact bucket: the kept requests only, in the order of their times
    List<Request> kept = new ArrayList<>();
    for (Request r : requests) {
      if (!r.givenBack) {
        kept.add(r);
      }
    }
    kept.sort((a, b) -> Long.compare(a.floor, b.floor));
    Bucket exact = exactStart;
    for (Request r : kept) {
      exact.zaddGt(r.floor);
      exact.zincrby(r.cost);
    }
    if (exact.score != null && (real.score == null || real.score < exact.score)) {
      return "below the exact bucket (" + exact.score + ") at the end\n" + trace;
    }
    return null;
  }

  static final int RUNS = Integer.getInteger("fastlimit.refundModelRuns", 1_000_000);

  /** Runs {@link #RUNS} random worlds; the first that lost to the ideal, or null. */
  static String check(Refund rule, boolean idealKeepsFloors, long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < RUNS; i++) {
      String found = run(rule, random, idealKeepsFloors);
      if (found != null) {
        return "run " + i + ": " + found;
      }
    }
    return null;
  }

  @Test
  void theBoundedRefundNeverLeavesTheBucketEmptierThanIfTheRequestsHadNeverCome() {
    assertThat(check(BOUNDED, false, 1)).isNull();
  }

  @Test
  void theBoundedRefundNeverLeavesTheBucketEmptierThanIfTheRequestsHadOnlyRefilledIt() {
    // the stricter ideal: a given-back request still raised the floor (the exact bucket's refill)
    assertThat(check(BOUNDED, true, 2)).isNull();
  }

  @Test
  void theCheckCatchesAFullRefund() {
    String found = check(FULL, false, 3);
    assertThat(found).isNotNull();
    System.out.println("a full refund: " + found);
  }
}
