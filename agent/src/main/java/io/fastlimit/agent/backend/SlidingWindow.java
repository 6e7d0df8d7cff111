package io.fastlimit.agent.backend;

/**
 * The sliding window's answer from its two counts, in one place for every store that keeps them:
 * {@link BucketState} (memory, and the arithmetic {@code buckets.lua} ports), and Redis's window
 * counters ({@code redis.sliding-window: commands}), which read the counts of two keys.
 */
public final class SlidingWindow {

  private SlidingWindow() {}

  /**
   * Whether {@code cost} more fits at {@code now} in the window of {@code window} ms that starts at
   * {@code start} and holds {@code current}, after one that held {@code previous} (0 when it was
   * not adjacent): the previous count weighs by its overlap with the window ending at {@code now}.
   */
  public static Outcome decide(
      long limit, long window, long cost, long now, long start, long current, long previous) {
    long elapsed = Math.max(0, now - start); // 0 for a request timed before its window
    long capacity = limit * window;
    // the weighted count times window: previous x (window - elapsed) + current x window
    long used = previous * (window - elapsed) + current * window;
    long after = used + cost * window;
    boolean allowed = after <= capacity;
    long remaining = Math.max(0, (capacity - (allowed ? after : used)) / window);
    long counted = allowed ? current + cost : current;
    long fullAt = counted > 0 ? start + 2 * window : previous > 0 ? start + window : now;
    long retryAfter;
    if (allowed) {
      retryAfter = 0;
    } else if (current + cost <= limit) {
      // fits in this window once enough of the previous window has slid out (previous > 0)
      retryAfter = start + window - (limit - current - cost) * window / previous - now;
    } else if (current > 0) {
      // fits only in the next window, where this window's count is the previous one
      retryAfter = start + 2 * window - (limit - cost) * window / current - now;
    } else {
      // a cost over the limit never fits: told to come back when the window is empty
      retryAfter = start + 2 * window - now;
    }
    return new Outcome(allowed, remaining, fullAt, retryAfter, now);
  }
}
