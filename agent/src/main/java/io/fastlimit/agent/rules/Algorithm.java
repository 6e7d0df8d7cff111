package io.fastlimit.agent.rules;

/**
 * How a bucket counts. The arithmetic is exact integer math over millisecond time so that a burst
 * admits exactly the limit; the state of the first three algorithms is three longs, that of the
 * sliding log one timestamp per request in the window (see {@code
 * io.fastlimit.agent.backend.BucketState}).
 */
public enum Algorithm {
  /** Two-window weighted counter: previous window x overlap + current window. */
  SLIDING_WINDOW("sliding-window"),
  /** Counters per epoch-aligned window. */
  FIXED_WINDOW("fixed-window"),
  /** Capacity = limit, refilled continuously at limit per window. */
  TOKEN_BUCKET("token-bucket"),
  /**
   * The time of every request in the last window length: never more than the limit in any rolling
   * window, at the cost of memory that grows with the limit (at most {@link
   * #SLIDING_LOG_MAX_LIMIT}).
   */
  SLIDING_LOG("sliding-log");

  /**
   * Largest limit a sliding-log rate may have: its buckets hold one timestamp per request in the
   * window (8 bytes in memory, 6 in Redis), so 1000 is some 8 KB per client at most. Above it,
   * {@code sliding-window} counts in constant memory.
   */
  public static final long SLIDING_LOG_MAX_LIMIT = 1_000;

  private final String configName;

  Algorithm(String configName) {
    this.configName = configName;
  }

  /** The name used in the rules file. */
  public String configName() {
    return configName;
  }

  /** The algorithm for a rules-file name, or null when there is none. */
  public static Algorithm fromConfigName(String name) {
    for (Algorithm algorithm : values()) {
      if (algorithm.configName.equals(name)) {
        return algorithm;
      }
    }
    return null;
  }

  /** All rules-file names, for error messages. */
  public static String configNames() {
    StringBuilder names = new StringBuilder();
    for (Algorithm algorithm : values()) {
      if (names.length() > 0) {
        names.append(", ");
      }
      names.append(algorithm.configName);
    }
    return names.toString();
  }
}
