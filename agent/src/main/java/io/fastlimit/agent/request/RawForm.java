package io.fastlimit.agent.request;

import io.fastlimit.bootstrap.FormBodies;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Finds one field in the raw bytes of an {@code application/x-www-form-urlencoded} body without
 * choosing a character encoding for the application: the value's percent-decoded bytes are read as
 * UTF-8 when they are valid UTF-8, else one character per byte (ISO-8859-1). The text is only an
 * account's key, so it just has to be the same every time one account is named the same way.
 */
final class RawForm {

  /**
   * The largest body read for an account (bytes): a login form is a few hundred. A longer body is
   * never read by the agent, and its account is not known.
   */
  static final int MAX_BODY = FormBodies.MAX_BODY;

  private RawForm() {}

  /**
   * The first value of the field {@code name} in {@code body[0, length)}, or null when absent or
   * when {@code length} is above {@link #MAX_BODY}. A field without {@code =} has the value "". A
   * field whose name or value holds a malformed escape is skipped (see {@link #decode}).
   */
  static String field(byte[] body, int length, String name) {
    if (length > MAX_BODY || length > body.length) {
      return null;
    }
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    while (start < length) {
      int end = indexOf(body, (byte) '&', start, length);
      int equals = indexOf(body, (byte) '=', start, end);
      if (decodedEquals(body, start, equals, wanted)) {
        if (equals == end) {
          return "";
        }
        byte[] value = decode(body, equals + 1, end);
        if (value != null) {
          return text(value);
        }
      }
      start = end + 1;
    }
    return null;
  }

  private static int indexOf(byte[] body, byte wanted, int from, int to) {
    for (int i = from; i < to; i++) {
      if (body[i] == wanted) {
        return i;
      }
    }
    return to;
  }

  private static boolean decodedEquals(byte[] body, int from, int to, byte[] wanted) {
    if (to - from < wanted.length) {
      return false; // decoding only shortens
    }
    byte[] name = decode(body, from, to);
    if (name == null || name.length != wanted.length) {
      return false;
    }
    for (int i = 0; i < name.length; i++) {
      if (name[i] != wanted[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code +} is a space, {@code %XX} a byte; null when an escape is malformed ({@code %} not
   * followed by two hex digits). Tomcat 9 and 10.1 skip such a field and go on to the next, so its
   * getParameter answers a later field of the same name; Tomcat 11 and Jetty refuse such a form.
   * Taking the malformed field as the account would give every spelling a bucket of its own.
   */
  static byte[] decode(byte[] body, int from, int to) {
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      byte b = body[i];
      if (b == '+') {
        out[n++] = ' ';
      } else if (b == '%' && i + 2 < to && hex(body[i + 1]) >= 0 && hex(body[i + 2]) >= 0) {
        out[n++] = (byte) (hex(body[i + 1]) << 4 | hex(body[i + 2]));
        i += 2;
      } else if (b == '%') {
        return null;
      } else {
        out[n++] = b;
      }
    }
    byte[] exact = new byte[n];
    System.arraycopy(out, 0, exact, 0, n);
    return exact;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  /** UTF-8 when the bytes are valid UTF-8, else ISO-8859-1: one text for one byte sequence. */
  static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }
}
