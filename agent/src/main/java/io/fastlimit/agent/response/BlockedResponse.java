package io.fastlimit.agent.response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a blocked request gets instead of the application: status, content type and a body template
 * with {@code {retry_after}}, {@code {limit}} and {@code {rule}} filled in. The template is split
 * once, when the rules are loaded. Immutable.
 */
public final class BlockedResponse {

  public static final String DEFAULT_BODY =
      "{\"detail\":\"Rate limit exceeded. Try again in {retry_after}s.\","
          + "\"retry_after\":{retry_after}}";

  private static final String[] PLACEHOLDERS = {"{retry_after}", "{limit}", "{rule}"};

  private final int status;
  private final String contentType;
  private final boolean json;
  // literal text and placeholder indexes, alternating: literal[0] p[0] literal[1] ...
  private final String[] literals;
  private final int[] placeholders;

  /** Throws IllegalArgumentException for a content type with control characters (CR, LF). */
  public BlockedResponse(int status, String contentType, String body) {
    if (hasControlCharacter(contentType)) {
      // a container may fold or pass a line break into the response head: never hand it one
      throw new IllegalArgumentException("control characters in the content type");
    }
    this.status = status;
    this.contentType = contentType;
    this.json = contentType.toLowerCase(java.util.Locale.ROOT).contains("json");
    List<String> literalParts = new ArrayList<>();
    List<Integer> placeholderParts = new ArrayList<>();
    int from = 0;
    while (true) {
      int best = -1;
      int bestAt = body.length();
      for (int p = 0; p < PLACEHOLDERS.length; p++) {
        int at = body.indexOf(PLACEHOLDERS[p], from);
        if (at >= 0 && at < bestAt) {
          best = p;
          bestAt = at;
        }
      }
      literalParts.add(body.substring(from, bestAt));
      if (best < 0) {
        break;
      }
      placeholderParts.add(best);
      from = bestAt + PLACEHOLDERS[best].length();
    }
    this.literals = literalParts.toArray(new String[0]);
    this.placeholders = new int[placeholderParts.size()];
    for (int i = 0; i < placeholders.length; i++) {
      placeholders[i] = placeholderParts.get(i);
    }
  }

  /** Whether a header value would carry a control character (line breaks split headers). */
  public static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch < 0x20 || ch == 0x7f) {
        return true;
      }
    }
    return false;
  }

  public static BlockedResponse defaults() {
    return new BlockedResponse(429, "application/json", DEFAULT_BODY);
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  /** The body for one blocked request, UTF-8. */
  public byte[] body(long retryAfterSeconds, long limit, String rule) {
    StringBuilder out = new StringBuilder(128);
    for (int i = 0; i < literals.length; i++) {
      out.append(literals[i]);
      if (i < placeholders.length) {
        switch (placeholders[i]) {
          case 0:
            out.append(retryAfterSeconds);
            break;
          case 1:
            out.append(limit);
            break;
          default:
            appendText(out, rule);
        }
      }
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void appendText(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (json && (ch == '"' || ch == '\\')) {
        out.append('\\');
      }
      out.append(ch);
    }
  }
}
