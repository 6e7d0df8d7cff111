package io.fastlimit.agent.rules;

/**
 * How a bucket counts. The arithmetic is exact integer math over millisecond time so that a burst
 * admits exactly the limit; each algorithm's state is three longs (see {@code io.fastlimit.agent.backend.BucketState}).
 */
public enum Algorithm {
  /** Two-window weighted counter: previous window x overlap + current window. */
  SLIDING_WINDOW("sliding-window"),
  /** Counters per epoch-aligned window. */
  FIXED_WINDOW("fixed-window"),
  /** Capacity = limit, refilled continuously at limit per window. */
  TOKEN_BUCKET("token-bucket");

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
