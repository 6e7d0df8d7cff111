package io.fastlimit.agent.observe;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * One log line as a JSON object, for {@code log-format: json}: {@code {"time", "level", "logger",
 * "message", "stack_trace"}}, the message and trace escaped so that a multi-line message stays one
 * line.
 */
final class JsonLine {

  private JsonLine() {}

  static String of(long epochMillis, String level, String message, Throwable failure) {
    StringBuilder out = new StringBuilder(message.length() + 96);
    out.append("{\"time\":\"")
        .append(Instant.ofEpochMilli(epochMillis))
        .append("\",\"level\":\"")
        .append(level)
        .append("\",\"logger\":\"fastlimit\",\"message\":");
    string(out, message);
    if (failure != null) {
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      out.append(",\"stack_trace\":");
      string(out, trace.toString());
    }
    return out.append('}').toString();
  }

  private static void string(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
      }
    }
    out.append('"');
  }
}
