package io.fastlimit.bootstrap;

import java.nio.charset.StandardCharsets;

/**
 * The path of an HTTP request target as a server without a servlet API receives it (Netty's {@code
 * HttpRequest.uri()}), turned into what frameworks route on: the absolute form's scheme and
 * authority dropped, no query or fragment, each segment's {@code ;parameters} dropped, and
 * percent-escapes decoded as UTF-8, but for an encoded slash, which stays {@code %2F}: Vert.x web
 * and Spring's PathPattern take {@code /reports/a%2Fb} as one segment ({@code /reports/:id}), so
 * decoding it would hand the rules a path of more segments than the one routed on, and a
 * one-segment rule would miss it. The rules also match such a path with the slash decoded ({@code
 * RuleSet.match}), for a framework that routes on that. Dot segments and repeated slashes stay: the
 * rules resolve those themselves. Used by advice in the application's class loaders, so JDK types
 * only.
 */
public final class RequestTarget {

  private RequestTarget() {}

  /** The decoded path of a request target; the argument itself when there is nothing to do. */
  public static String path(String target) {
    if (target == null || target.isEmpty()) {
      return "/";
    }
    String path = target;
    if (path.charAt(0) != '/') {
      int scheme = path.indexOf("://");
      if (scheme < 0) {
        return path; // "*" of OPTIONS, or nothing a rule could name
      }
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int end = path.length();
    int query = path.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = path.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    if (end < path.length()) {
      path = path.substring(0, end);
    }
    if (path.indexOf(';') >= 0) {
      path = withoutParameters(path);
    }
    return path.indexOf('%') >= 0 ? decode(path) : path;
  }

  private static String withoutParameters(String path) {
    StringBuilder out = new StringBuilder(path.length());
    int at = 0;
    while (at < path.length()) {
      int semicolon = path.indexOf(';', at);
      if (semicolon < 0) {
        out.append(path, at, path.length());
        break;
      }
      out.append(path, at, semicolon);
      int slash = path.indexOf('/', semicolon);
      at = slash < 0 ? path.length() : slash;
    }
    return out.toString();
  }

  /**
   * Percent-decodes as UTF-8; a '%' not followed by two hex digits stays as it is, and an encoded
   * slash stays encoded, written {@code %2F}.
   */
  private static String decode(String path) {
    byte[] bytes = new byte[path.length() * 3];
    int length = 0;
    for (int i = 0; i < path.length(); i++) {
      char ch = path.charAt(i);
      int high = ch == '%' && i + 2 < path.length() ? hex(path.charAt(i + 1)) : -1;
      int low = high >= 0 ? hex(path.charAt(i + 2)) : -1;
      if (high == 2 && (low == 0xF)) {
        bytes[length++] = '%';
        bytes[length++] = '2';
        bytes[length++] = 'F';
        i += 2;
      } else if (low >= 0) {
        bytes[length++] = (byte) ((high << 4) | low);
        i += 2;
      } else if (ch <= 0xFF) { // Netty reads the request line as ISO-8859-1: a char is a byte
        bytes[length++] = (byte) ch;
      } else {
        byte[] encoded = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(encoded, 0, bytes, length, encoded.length);
        length += encoded.length;
      }
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private static int hex(char ch) {
    if (ch >= '0' && ch <= '9') {
      return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
      return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
      return ch - 'A' + 10;
    }
    return -1;
  }
}
