package io.fastlimit.bootstrap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The decision for one request as the advice needs it: headers to set and, when blocked, the
 * status, content type and body to write instead of running the application.
 */
public final class Verdict {

  private final boolean blocked;
  private final String[] headerNames;
  private final String[] headerValues;
  private final int status;
  private final String contentType;
  private final byte[] body;

  private Verdict(
      boolean blocked,
      String[] headerNames,
      String[] headerValues,
      int status,
      String contentType,
      byte[] body) {
    if (headerNames.length != headerValues.length) {
      throw new IllegalArgumentException("header names and values differ in length");
    }
    this.blocked = blocked;
    this.headerNames = headerNames;
    this.headerValues = headerValues;
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  /** Admitted: the application runs, with these headers set first. Arrays are not copied. */
  public static Verdict allowed(String[] headerNames, String[] headerValues) {
    return new Verdict(false, headerNames, headerValues, 0, null, null);
  }

  /** Rejected: these headers, status, content type and body; the application does not run. */
  public static Verdict blocked(
      String[] headerNames, String[] headerValues, int status, String contentType, byte[] body) {
    return new Verdict(true, headerNames, headerValues, status, contentType, body);
  }

  public boolean isBlocked() {
    return blocked;
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
