package io.fastlimit.it;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A response as it came over the wire. */
record HttpResult(int status, Map<String, List<String>> headers, String body) {

  /** The first value of a header (names compared case-insensitively), or null. */
  String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  boolean hasHeader(String name) {
    return header(name) != null;
  }

  long longHeader(String name) {
    String value = header(name);
    if (value == null) {
      throw new AssertionError("no " + name + " header in " + this);
    }
    return Long.parseLong(value.trim());
  }

  @Override
  public String toString() {
    return status + " " + headers + " " + body;
  }
}
