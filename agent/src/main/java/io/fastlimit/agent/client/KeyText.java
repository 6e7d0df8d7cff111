package io.fastlimit.agent.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Makes client-supplied text (user ids, odd peer strings) safe to put in a bucket key and a log
 * line: short plain ids stay as they are; anything long or unusual becomes a fixed-length hash, so
 * key length and key-space stay bounded whatever a client sends.
 */
public final class KeyText {

  /** Ids up to this length made only of plain characters are used verbatim. */
  public static final int MAX_PLAIN_LENGTH = 64;

  private KeyText() {}

  public static String bounded(String raw) {
    if (raw.length() <= MAX_PLAIN_LENGTH && isPlain(raw)) {
      return raw;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
      // 16 bytes (128 bits) are plenty against collisions; '~' cannot start a plain id
      byte[] head = new byte[16];
      System.arraycopy(digest, 0, head, 0, head.length);
      return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(head);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static boolean isPlain(String raw) {
    if (raw.isEmpty() || raw.charAt(0) == '~') {
      return false;
    }
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      boolean plain =
          (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9')
              || ch == '-'
              || ch == '_'
              || ch == '.'
              || ch == '@'
              || ch == '+';
      if (!plain) {
        return false;
      }
    }
    return true;
  }

  /** Text for a log line: control characters and non-ASCII escaped, long text cut. */
  public static String forLog(String raw) {
    if (raw == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(raw.length(), 200) + 8);
    int i = 0;
    for (; i < raw.length() && out.length() < 200; i++) {
      char ch = raw.charAt(i);
      if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
        out.append(ch);
      } else {
        out.append(String.format("\\u%04x", (int) ch));
      }
    }
    if (i < raw.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
