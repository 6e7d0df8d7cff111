package io.fastlimit.agent.rules;

import java.util.Locale;

/** A limit per window, such as {@code 10/min} or {@code 3/5min}. Immutable. */
public final class Rate {

  /**
   * Largest {@code limit x window-ms} a rate may have (about a million requests per second over a
   * year): it keeps the backends' exact integer arithmetic free of overflow.
   */
  public static final long MAX_LIMIT_TIMES_WINDOW = 1L << 60;

  private final long limit;
  private final long windowMillis;
  private final String text;

  /** The limit in decimal, made once: it is a header value of every limited request. */
  private final String limitText;

  public Rate(long limit, long windowMillis, String text) {
    if (limit < 1) {
      throw new IllegalArgumentException("the limit must be at least 1");
    }
    if (windowMillis < 1) {
      throw new IllegalArgumentException("the window must be at least 1 ms");
    }
    if (limit > MAX_LIMIT_TIMES_WINDOW / windowMillis) {
      throw new IllegalArgumentException(
          "invalid rate '"
              + text
              + "': the limit times the window is too large to count exactly; use a shorter"
              + " window with a proportional limit (e.g. 1000/s rather than 86400000/day)");
    }
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.text = text;
    this.limitText = Long.toString(limit);
  }

  /**
   * Parses {@code N/unit} or {@code N/Kunit}: units s, sec, second(s), m, min, minute(s), h, hr,
   * hour(s), d, day(s). Throws IllegalArgumentException with a message that says what is valid.
   */
  public static Rate parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    if (slash <= 0 || slash == trimmed.length() - 1) {
      throw invalid(text, "expected N/unit");
    }
    long limit = parseCount(trimmed.substring(0, slash).trim(), text);
    String period = trimmed.substring(slash + 1).trim().toLowerCase(Locale.ROOT);
    int unitStart = 0;
    while (unitStart < period.length() && Character.isDigit(period.charAt(unitStart))) {
      unitStart++;
    }
    long multiplier = unitStart == 0 ? 1 : parseCount(period.substring(0, unitStart), text);
    long unitMillis = unitMillis(period.substring(unitStart).trim());
    if (unitMillis < 0) {
      throw invalid(text, "unknown unit '" + period.substring(unitStart).trim() + "'");
    }
    if (multiplier > Long.MAX_VALUE / unitMillis) {
      throw invalid(text, "the window is too long");
    }
    return new Rate(limit, multiplier * unitMillis, trimmed);
  }

  private static long parseCount(String digits, String text) {
    if (digits.isEmpty() || digits.length() > 12) {
      throw invalid(text, "expected a whole number of requests between 1 and 999999999999");
    }
    long value = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(text, "'" + digits + "' is not a whole number");
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1) {
      throw invalid(text, "the number must be at least 1");
    }
    return value;
  }

  private static long unitMillis(String unit) {
    switch (unit) {
      case "s":
      case "sec":
      case "second":
      case "seconds":
        return 1_000L;
      case "m":
      case "min":
      case "minute":
      case "minutes":
        return 60_000L;
      case "h":
      case "hr":
      case "hour":
      case "hours":
        return 3_600_000L;
      case "d":
      case "day":
      case "days":
        return 86_400_000L;
      default:
        return -1;
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(
        "invalid rate '"
            + text
            + "': "
            + why
            + " (write N/unit or N/Kunit, e.g. 10/min, 100/hour, 3/5min; units: s, sec, second,"
            + " m, min, minute, h, hr, hour, d, day)");
  }

  public long limit() {
    return limit;
  }

  /** The limit as header text, such as {@code 10}. */
  public String limitText() {
    return limitText;
  }

  public long windowMillis() {
    return windowMillis;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Rate
        && ((Rate) other).limit == limit
        && ((Rate) other).windowMillis == windowMillis;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(limit) * 31 + Long.hashCode(windowMillis);
  }

  @Override
  public String toString() {
    return text;
  }
}
