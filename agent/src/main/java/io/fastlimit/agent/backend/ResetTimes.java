package io.fastlimit.agent.backend;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When an operator last reset each client's counter (by its bucket key), kept for an hour, so that
 * a charge counted before a reset and given back after it ({@code count: failures}) is not taken
 * from the counts that began after the reset: the client would get one more attempt than its limit
 * for every such request in flight at the reset. Resets are rare: the map is empty on every other
 * path, and bounded.
 */
final class ResetTimes {

  /** Longer than any request stays in flight. */
  static final long KEPT_MILLIS = 3_600_000L;

  /** Resets remembered at most; past it, others (any, not the oldest) are forgotten first. */
  static final int MAX = 10_000;

  private final ConcurrentHashMap<String, Long> resetAt = new ConcurrentHashMap<>();

  /**
   * The counter of {@code client} in the group of {@code keyStart} was reset at {@code now}: under
   * the bucket's lock, where {@link #before} is asked too, after its counts went. Forgets resets
   * older than {@link #KEPT_MILLIS}, and others past {@link #MAX}.
   */
  void record(String keyStart, String client, long now) {
    String key = keyStart + client;
    resetAt.put(key, now);
    for (Iterator<Long> times = resetAt.values().iterator(); times.hasNext(); ) {
      if (times.next() < now - KEPT_MILLIS) {
        times.remove();
      }
    }
    for (Iterator<String> keys = resetAt.keySet().iterator();
        resetAt.size() > MAX && keys.hasNext(); ) {
      if (!keys.next().equals(key)) {
        keys.remove();
      }
    }
  }

  /**
   * Whether a charge counted at {@code chargedAt} was counted before the client's counter was last
   * reset (in the same millisecond too: the safe side, the charge then stays).
   */
  boolean before(String keyStart, String client, long chargedAt) {
    if (resetAt.isEmpty()) {
      return false;
    }
    Long reset = resetAt.get(keyStart + client);
    return reset != null && chargedAt <= reset;
  }
}
