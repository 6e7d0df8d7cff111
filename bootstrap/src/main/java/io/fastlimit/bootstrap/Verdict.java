package io.fastlimit.bootstrap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The decision for one request as the advice needs it: headers to set and, when blocked, the
 * status, content type and body to write instead of running the application.
 */
public class Verdict {

  private final String[] headerNames;
  private final String[] headerValues;

  /** What the agent must be told when the request ends; null when nothing awaits it. */
  private final Object pending;

  /**
   * What only some verdicts hold lives in subclasses ({@link Blocked}, {@link Counting}), so that
   * the admitted verdict every request allocates holds its headers and nothing more (issue 15: 48
   * -> 32 bytes with a late Remaining, 40 -> 24 without; a blocked one stays at 40).
   */
  private Verdict(String[] headerNames, String[] headerValues, Object pending) {
    if (headerValues != null && headerNames.length != headerValues.length) {
      throw new IllegalArgumentException("header names and values differ in length");
    }
    this.headerNames = headerNames;
    this.headerValues = headerValues;
    this.pending = pending;
  }

  /**
   * A blocked verdict: what it writes instead of running the application. Read by type checks in
   * this class, not by overrides, so that no call site on a verdict grows a receiver type.
   */
  private static final class Blocked extends Verdict {
    private final int status;
    private final String contentType;
    private final byte[] body;

    Blocked(
        String[] headerNames, String[] headerValues, int status, String contentType, byte[] body) {
      super(headerNames, headerValues, null);
      this.status = status;
      this.contentType = contentType;
      this.body = body;
    }
  }

  /**
   * An admitted verdict with a value left null that stands for {@code count} as text: a subclass,
   * so that every other verdict stays as small as it was.
   */
  private static final class Counting extends Verdict {
    private final long count;

    Counting(String[] headerNames, String[] headerValues, long count) {
      super(headerNames, headerValues, null);
      this.count = count;
    }

    @Override
    public String headerValue(int index) {
      String value = super.headerValue(index);
      return value != null ? value : Long.toString(count);
    }
  }

  /**
   * An admitted verdict of three header values (the X-RateLimit style, the default) held in fields,
   * not an array: 48 bytes per admitted request instead of 64 for a verdict and its array (issue
   * 15). A value left null stands for {@code count} as text, as in {@link Counting}. Read by a type
   * check in {@link #headerValue}, so no call site on a verdict grows a receiver type.
   */
  private static final class Three extends Verdict {
    private final long count;
    private final String first;
    private final String second;
    private final String third;

    Three(String[] headerNames, String first, String second, String third, long count) {
      super(headerNames, null, null);
      this.first = first;
      this.second = second;
      this.third = third;
      this.count = count;
    }

    String value(int index) {
      String value;
      switch (index) {
        case 0:
          value = first;
          break;
        case 1:
          value = second;
          break;
        case 2:
          value = third;
          break;
        default:
          throw new IndexOutOfBoundsException("header " + index + " of 3");
      }
      return value != null ? value : Long.toString(count);
    }
  }

  /** Admitted: the application runs, with these headers set first. Arrays are not copied. */
  public static Verdict allowed(String[] headerNames, String[] headerValues) {
    return new Verdict(headerNames, headerValues, null);
  }

  /**
   * As {@link #allowed}, with a value left null that stands for {@code count} as decimal text (the
   * Remaining of a large limit): made when the header is asked for, so a decision whose headers are
   * not written does not format a number. Arrays are not copied.
   */
  public static Verdict allowedCounting(String[] headerNames, String[] headerValues, long count) {
    for (String value : headerValues) {
      if (value == null) {
        return new Counting(headerNames, headerValues, count);
      }
    }
    return allowed(headerNames, headerValues);
  }

  /**
   * As {@link #allowedCounting} for three header values, held without an array: {@code headerNames}
   * has three; a value left null stands for {@code count} as decimal text.
   */
  public static Verdict allowedThree(
      String[] headerNames, String first, String second, String third, long count) {
    if (headerNames.length != 3) {
      throw new IllegalArgumentException("three header values need three names");
    }
    return new Three(headerNames, first, second, third, count);
  }

  /**
   * Admitted, and the agent must be told how the request ends ({@link RateLimitBridge#completed}):
   * {@code pending} is the agent's own state for that (what to give back on success, a slot to
   * release). Arrays are not copied.
   */
  public static Verdict allowedPending(
      String[] headerNames, String[] headerValues, Object pending) {
    if (pending == null) {
      throw new IllegalArgumentException("a pending verdict needs its pending state");
    }
    return new Verdict(headerNames, headerValues, pending);
  }

  /** Rejected: these headers, status, content type and body; the application does not run. */
  public static Verdict blocked(
      String[] headerNames, String[] headerValues, int status, String contentType, byte[] body) {
    return new Blocked(headerNames, headerValues, status, contentType, body);
  }

  public boolean isBlocked() {
    return this instanceof Blocked;
  }

  /**
   * Whether the entry point must report how the request ends ({@link RateLimitBridge#completed}).
   */
  public boolean awaitsCompletion() {
    return pending != null;
  }

  /** The agent's state for {@link RateLimitBridge#completed}; null when nothing awaits it. */
  public Object pending() {
    return pending;
  }

  public int headerCount() {
    return headerNames.length;
  }

  public String headerName(int index) {
    return headerNames[index];
  }

  public String headerValue(int index) {
    return this instanceof Three ? ((Three) this).value(index) : headerValues[index];
  }

  public int status() {
    return this instanceof Blocked ? ((Blocked) this).status : 0;
  }

  public String contentType() {
    return this instanceof Blocked ? ((Blocked) this).contentType : null;
  }

  public int bodyLength() {
    byte[] body = body();
    return body == null ? 0 : body.length;
  }

  private byte[] body() {
    return this instanceof Blocked ? ((Blocked) this).body : null;
  }

  /** The body as text, for a response whose writer is already taken. */
  public String bodyText() {
    byte[] body = body();
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }

  public void writeBody(OutputStream out) throws IOException {
    byte[] body = body();
    if (body != null) {
      out.write(body);
    }
  }
}
