package io.fastlimit.bootstrap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The decision for one request as the advice needs it: headers to set and, when blocked, the
 * status, content type and body to write instead of running the application.
 */
public class Verdict {

  private final boolean blocked;
  private final String[] headerNames;
  private final String[] headerValues;
  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Object pending;

  private Verdict(
      boolean blocked,
      String[] headerNames,
      String[] headerValues,
      int status,
      String contentType,
      byte[] body,
      Object pending) {
    if (headerNames.length != headerValues.length) {
      throw new IllegalArgumentException("header names and values differ in length");
    }
    this.blocked = blocked;
    this.headerNames = headerNames;
    this.headerValues = headerValues;
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.pending = pending;
  }

  /**
   * An admitted verdict with a value left null that stands for {@code count} as text: a subclass,
   * so that every other verdict stays as small as it was.
   */
  private static final class Counting extends Verdict {
    private final long count;

    Counting(String[] headerNames, String[] headerValues, long count) {
      super(false, headerNames, headerValues, 0, null, null, null);
      this.count = count;
    }

    @Override
    public String headerValue(int index) {
      String value = super.headerValue(index);
      return value != null ? value : Long.toString(count);
    }
  }

  /** Admitted: the application runs, with these headers set first. Arrays are not copied. */
  public static Verdict allowed(String[] headerNames, String[] headerValues) {
    return new Verdict(false, headerNames, headerValues, 0, null, null, null);
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
   * Admitted, and the agent must be told how the request ends ({@link RateLimitBridge#completed}):
   * {@code pending} is the agent's own state for that (what to give back on success, a slot to
   * release). Arrays are not copied.
   */
  public static Verdict allowedPending(
      String[] headerNames, String[] headerValues, Object pending) {
    if (pending == null) {
      throw new IllegalArgumentException("a pending verdict needs its pending state");
    }
    return new Verdict(false, headerNames, headerValues, 0, null, null, pending);
  }

  /** Rejected: these headers, status, content type and body; the application does not run. */
  public static Verdict blocked(
      String[] headerNames, String[] headerValues, int status, String contentType, byte[] body) {
    return new Verdict(true, headerNames, headerValues, status, contentType, body, null);
  }

  public boolean isBlocked() {
    return blocked;
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
    return headerValues[index];
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  public int bodyLength() {
    return body == null ? 0 : body.length;
  }

  /** The body as text, for a response whose writer is already taken. */
  public String bodyText() {
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }

  public void writeBody(OutputStream out) throws IOException {
    if (body != null) {
      out.write(body);
    }
  }
}
