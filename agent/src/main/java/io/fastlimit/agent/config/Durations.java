package io.fastlimit.agent.config;

import java.util.Locale;

/** Durations as the rules file writes them: {@code 50ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
final class Durations {

  private Durations() {}

  /** Milliseconds; throws IllegalArgumentException that says what is valid. */
  static long parseMillis(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    int digits = 0;
    while (digits < value.length() && Character.isDigit(value.charAt(digits))) {
      digits++;
    }
    if (digits == 0 || digits > 9) {
      throw invalid(text);
    }
    long amount = Long.parseLong(value.substring(0, digits));
    switch (value.substring(digits).trim()) {
      case "ms":
        return amount;
      case "s":
        return amount * 1000;
      case "m":
      case "min":
        return amount * 60_000;
      case "h":
        return amount * 3_600_000;
      default:
        throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid duration '"
            + text
            + "': write a whole number with ms, s, m or h, e.g. 50ms or 2s");
  }
}
