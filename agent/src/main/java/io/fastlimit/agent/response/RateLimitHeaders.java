package io.fastlimit.agent.response;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rate-limit response headers: names pre-built once per rules version so that a request only
 * fills in values. Two styles, alone or together: the common {@code X-RateLimit-Limit / -Remaining
 * / -Reset} (Reset in epoch seconds), and the IETF draft's structured fields
 * (draft-ietf-httpapi-ratelimit-headers): {@code RateLimit-Policy: "rule";q=LIMIT;w=WINDOW} and
 * {@code RateLimit: "rule";r=REMAINING;t=SECONDS-TO-RESET}. A 429 always carries Retry-After. The
 * settings are fixed per rules version; the one mutable part is a cache of the last Reset text,
 * replaced whole (a volatile reference), so instances are safe to share between threads.
 */
public final class RateLimitHeaders {

  /** Which header fields to send. */
  public enum Style {
    X_RATELIMIT("x-ratelimit"),
    IETF("ietf"),
    BOTH("both");

    private final String configName;

    Style(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    /** The style of a rules-file name, or null. */
    public static Style fromConfigName(String name) {
      for (Style style : values()) {
        if (style.configName.equals(name.toLowerCase(Locale.ROOT))) {
          return style;
        }
      }
      return null;
    }
  }

  private final boolean enabled;
  private final Style style;
  private final String[] allowedNames;
  private final String[] blockedNames;
  private final String[] retryAfterOnly;

  /** The text of the last Reset sent: it changes once a second at most for windows. */
  private volatile SecondsText lastReset = new SecondsText(-1, "");

  /** Texts of small counts, so that Remaining of real-world limits allocates nothing. */
  private static final String[] SMALL = new String[4096];

  static {
    for (int i = 0; i < SMALL.length; i++) {
      SMALL[i] = Integer.toString(i);
    }
  }

  private static final class SecondsText {
    final long seconds;
    final String text;

    SecondsText(long seconds, String text) {
      this.seconds = seconds;
      this.text = text;
    }
  }

  public RateLimitHeaders(
      boolean enabled,
      Style style,
      String limit,
      String remaining,
      String reset,
      String retryAfter) {
    this.enabled = enabled;
    this.style = style;
    List<String> names = new ArrayList<>();
    if (style != Style.IETF) {
      names.add(limit);
      names.add(remaining);
      names.add(reset);
    }
    if (style != Style.X_RATELIMIT) {
      names.add("RateLimit-Policy");
      names.add("RateLimit");
    }
    this.allowedNames = names.toArray(new String[0]);
    names.add(retryAfter);
    this.blockedNames = names.toArray(new String[0]);
    this.retryAfterOnly = new String[] {retryAfter};
  }

  public static RateLimitHeaders defaults() {
    return new RateLimitHeaders(
        true,
        Style.X_RATELIMIT,
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Retry-After");
  }

  public boolean enabled() {
    return enabled;
  }

  public Style style() {
    return style;
  }

  /** Names for an admitted request. Shared; do not modify. */
  public String[] allowedNames() {
    return allowedNames;
  }

  /** Names for a blocked request, Retry-After last. Shared; do not modify. */
  public String[] blockedNames() {
    return blockedNames;
  }

  /** Names for a blocked request when the rate-limit headers are off. Shared; do not modify. */
  public String[] retryAfterOnly() {
    return retryAfterOnly;
  }

  /**
   * Values matching {@link #allowedNames()} (retryAfterSeconds &lt; 0) or {@link #blockedNames()}
   * (retryAfterSeconds &ge; 1). {@code resetAtMillis} and {@code decidedAtMillis} are by the
   * backend's clock: the IETF style's seconds to reset are their difference, whatever this JVM's
   * clock says.
   */
  public String[] values(
      String rule,
      String limit,
      long windowMillis,
      long remaining,
      long resetAtMillis,
      long decidedAtMillis,
      long retryAfterSeconds) {
    return values(
        rule,
        limit,
        windowMillis,
        remaining,
        resetAtMillis,
        decidedAtMillis,
        retryAfterSeconds,
        false);
  }

  /**
   * As {@link #values(String, String, long, long, long, long, long)}; with {@code remainingLater}
   * the Remaining value of a count not in the table of small counts is left null, for the verdict
   * to write out only when the header is set ({@code Verdict.allowedCounting}).
   */
  public String[] values(
      String rule,
      String limit,
      long windowMillis,
      long remaining,
      long resetAtMillis,
      long decidedAtMillis,
      long retryAfterSeconds,
      boolean remainingLater) {
    String[] values = new String[retryAfterSeconds < 0 ? allowedNames.length : blockedNames.length];
    int i = 0;
    if (style != Style.IETF) {
      values[i++] = limit;
      values[i++] = remainingLater && !isSmall(remaining) ? null : text(remaining);
      values[i++] = resetText(secondsUp(resetAtMillis));
    }
    if (style != Style.X_RATELIMIT) {
      String name = structuredString(rule);
      values[i++] = name + ";q=" + limit + ";w=" + secondsUp(windowMillis);
      long toReset = Math.max(0, secondsUp(resetAtMillis - decidedAtMillis));
      values[i++] = name + ";r=" + remaining + ";t=" + toReset;
    }
    if (retryAfterSeconds >= 0) {
      values[i] = text(retryAfterSeconds);
    }
    return values;
  }

  /**
   * The Remaining value of an admitted request in the X-RateLimit style: from the table of small
   * counts, or null for a larger one, which the verdict writes out when the header is set.
   */
  public static String remainingOrLater(long remaining) {
    return isSmall(remaining) ? SMALL[(int) remaining] : null;
  }

  /** The Reset value in the X-RateLimit style: epoch seconds, rounded up. */
  public String resetValue(long resetAtMillis) {
    return resetText(secondsUp(resetAtMillis));
  }

  /** A count as text; counts below 4096 come from a table. */
  public static String text(long value) {
    return isSmall(value) ? SMALL[(int) value] : Long.toString(value);
  }

  private static boolean isSmall(long value) {
    return value >= 0 && value < SMALL.length;
  }

  private String resetText(long seconds) {
    SecondsText last = lastReset;
    if (last.seconds == seconds) {
      return last.text;
    }
    String text = Long.toString(seconds);
    lastReset = new SecondsText(seconds, text);
    return text;
  }

  /** Milliseconds to whole seconds, rounded up. */
  public static long secondsUp(long millis) {
    return -Math.floorDiv(-millis, 1000L);
  }

  /** An RFC 8941 sf-string: quoted, with \ and " escaped and anything unprintable replaced. */
  static String structuredString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '"' || ch == '\\') {
        out.append('\\').append(ch);
      } else if (ch < 0x20 || ch > 0x7e) {
        out.append('?');
      } else {
        out.append(ch);
      }
    }
    return out.append('"').toString();
  }
}
