package io.fastlimit.agent.backend;

/**
 * The state of one sliding-log bucket: the time of every request it counts, oldest first, in a ring
 * of epoch milliseconds. A request of cost N is N entries at its time. An entry counts while it is
 * later than {@code now - window}, so no rolling window of the window's length ever holds more than
 * the limit. The ring starts small and doubles up to the limit (bounded by {@link
 * io.fastlimit.agent.rules.Algorithm#SLIDING_LOG_MAX_LIMIT}): a client that sends few requests
 * costs few entries. Not thread-safe: its {@link BucketState} is under the bucket's lock.
 */
final class SlidingLog {

  /** Entries of a new ring, or the limit when it is smaller. */
  private static final int FIRST_CAPACITY = 8;

  private long[] times;

  /** Index of the oldest entry in {@link #times}. */
  private int oldest;

  /** Entries held, oldest first from {@link #oldest}, wrapping around. */
  private int count;

  /** The time a charge admitted by the last check is recorded at: never before the newest. */
  private long recordAt;

  /** The limit of the last check: the ring never needs more entries than that. */
  private long limit;

  SlidingLog(long limit) {
    times = new long[(int) Math.min(limit, FIRST_CAPACITY)];
  }

  /**
   * Decides whether {@code cost} more entries fit at {@code now} without recording them: what
   * remains, when the log is empty again (the full limit back) and, when blocked, when enough of
   * the oldest entries have left for the cost to fit.
   */
  Outcome check(long limit, long window, long cost, long now) {
    long leftBy = now - window; // entries at or before this have left the window
    while (count > 0 && times[oldest] <= leftBy) {
      oldest = oldest + 1 == times.length ? 0 : oldest + 1;
      count--;
    }
    long newest = count > 0 ? entry(count - 1) : Long.MIN_VALUE;
    // a clock that stepped back must not put an entry before the newest: the log stays in order
    recordAt = Math.max(now, newest);
    this.limit = limit;
    boolean allowed = count + cost <= limit;
    if (allowed) {
      return new Outcome(true, limit - count - cost, recordAt + window, 0, now);
    }
    long fullAt = count > 0 ? newest + window : now;
    long mustLeave = count + cost - limit;
    long retryAt =
        mustLeave <= count
            ? entry((int) mustLeave - 1) + window // when the last of those that must leave does
            : count > 0 ? fullAt : now + window; // a cost above the limit never fits
    return new Outcome(false, Math.max(0, limit - count), fullAt, retryAt - now, now);
  }

  /** Records a charge that {@link #check} just admitted: {@code cost} entries at its time. */
  void commit(long cost) {
    if (count + cost > times.length) {
      grow(count + cost);
    }
    int at = oldest + count;
    for (long i = 0; i < cost; i++) {
      times[at >= times.length ? at - times.length : at] = recordAt;
      at++;
    }
    count += (int) cost;
  }

  /**
   * Removes up to {@code cost} entries recorded at exactly {@code at}, newest first: an admitted
   * request given back. Entries of the same millisecond are interchangeable; entries at other times
   * are another request's and stay (an entry that already left the window is not found).
   */
  void remove(long cost, long at) {
    long removed = 0;
    int index = count - 1;
    while (index >= 0 && removed < cost) {
      long time = entry(index);
      if (time < at) {
        break; // older entries are older requests
      }
      if (time == at) {
        // shift the newer entries down over this one
        for (int j = index; j < count - 1; j++) {
          set(j, entry(j + 1));
        }
        count--;
        removed++;
      }
      index--;
    }
  }

  private void set(int index, long time) {
    int at = oldest + index;
    times[at >= times.length ? at - times.length : at] = time;
  }

  /** Entries held (some may have left the window since the last check). */
  int size() {
    return count;
  }

  /** The {@code index}-th entry, 0 the oldest. */
  private long entry(int index) {
    int at = oldest + index;
    return times[at >= times.length ? at - times.length : at];
  }

  private void grow(long needed) {
    long[] bigger = new long[(int) Math.max(needed, Math.min(2L * times.length, limit))];
    for (int i = 0; i < count; i++) {
      bigger[i] = entry(i);
    }
    times = bigger;
    oldest = 0;
  }
}
