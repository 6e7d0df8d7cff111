package io.fastlimit.agent.config;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in rules-file values, from the environment; {@code
 * $${} is a literal {@code ${}. Also keeps what the environment supplied out of messages.
 */
final class Substitution {

  private final Function<String, String> environment;

  Substitution(Function<String, String> environment) {
    this.environment = environment;
  }

  /** The value with every variable replaced; each problem found goes to {@code problems}. */
  String apply(String written, Consumer<String> problems) {
    int start = written.indexOf("${");
    if (start < 0) {
      return written;
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    while (start >= 0) {
      if (start > from && written.charAt(start - 1) == '$') {
        out.append(written, from, start - 1).append("${");
        from = start + 2;
        start = written.indexOf("${", from);
        continue;
      }
      int end = written.indexOf('}', start);
      if (end < 0) {
        problems.accept(
            "unclosed '${' in '"
                + written
                + "'; write ${NAME} or ${NAME:-default}, or $${ for a literal ${");
        return written;
      }
      out.append(written, from, start);
      String expression = written.substring(start + 2, end);
      int dash = expression.indexOf(":-");
      String name = dash < 0 ? expression : expression.substring(0, dash);
      String replacement = environment.apply(name);
      if (replacement == null || (dash >= 0 && replacement.isEmpty())) {
        replacement = dash < 0 ? null : expression.substring(dash + 2);
      }
      if (replacement == null) {
        problems.accept(
            "environment variable '"
                + name
                + "' is not set; set it or write ${"
                + name
                + ":-default}");
        replacement = "";
      }
      out.append(replacement);
      from = end + 1;
      start = written.indexOf("${", from);
    }
    return out.append(written.substring(from)).toString();
  }

  /**
   * A message about a value that came from the environment, quoting the file's own text instead:
   * the value may be a secret. Quoted fragments of it (a parser's "unknown unit 'x'") go too.
   */
  static String quotingTheFile(String message, String written, String value) {
    String shown = written.trim();
    String out = message;
    String trimmed = value.trim();
    if (!value.isEmpty()) {
      out = out.replace("'" + value + "'", "'" + shown + "'");
    }
    if (!trimmed.isEmpty()) {
      out = out.replace("'" + trimmed + "'", "'" + shown + "'");
    }
    if (trimmed.length() >= 4) {
      out = out.replace(trimmed, shown);
    }
    StringBuilder result = new StringBuilder(out.length());
    int from = 0;
    int open = out.indexOf('\'');
    while (open >= 0) {
      int close = out.indexOf('\'', open + 1);
      if (close < 0) {
        break;
      }
      String quoted = out.substring(open + 1, close);
      result.append(out, from, open + 1);
      boolean fromValue = !quoted.isEmpty() && value.contains(quoted) && !written.contains(quoted);
      result.append(fromValue ? "(from the environment, not shown)" : quoted).append('\'');
      from = close + 1;
      open = out.indexOf('\'', from);
    }
    return result.append(out.substring(from)).toString();
  }
}
