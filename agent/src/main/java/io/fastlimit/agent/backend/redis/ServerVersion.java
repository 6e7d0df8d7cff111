package io.fastlimit.agent.backend.redis;

/** The Redis version an {@code INFO server} answer names, and what the counters need of it. */
final class ServerVersion {

  private ServerVersion() {}

  /** The version {@code info} names ({@code redis_version:}), or null when it names none. */
  static String named(String info) {
    if (info == null) {
      return null;
    }
    int at = info.indexOf("redis_version:");
    if (at < 0) {
      return null;
    }
    int from = at + "redis_version:".length();
    int to = from;
    while (to < info.length() && info.charAt(to) > ' ') {
      to++;
    }
    return info.substring(from, to);
  }

  /**
   * Whether {@code version} is before {@code major.minor}; false when it is null or not a version
   * (an unknown server is taken to have what is asked, and refuses it if not).
   */
  static boolean before(String version, int major, int minor) {
    int[] parts = parse(version);
    return parts != null && compare(parts, major, minor) < 0;
  }

  /**
   * Whether {@code version} is {@code major.minor} or later; false when it is null or not a version
   * (what only some servers have is not used on an unknown one).
   */
  static boolean atLeast(String version, int major, int minor) {
    int[] parts = parse(version);
    return parts != null && compare(parts, major, minor) >= 0;
  }

  private static int compare(int[] parts, int major, int minor) {
    return parts[0] != major ? Integer.compare(parts[0], major) : Integer.compare(parts[1], minor);
  }

  /** Major and minor, or null. */
  private static int[] parse(String version) {
    if (version == null) {
      return null;
    }
    String[] parts = version.split("\\.");
    try {
      return new int[] {
        Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0
      };
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }
}
