package io.fastlimit.agent.rules;

/**
 * The path a request is matched on with its dot segments resolved. Containers differ: Tomcat and
 * Jetty resolve {@code /api/./secret} and {@code /api/x/../secret} before the servlet sees them,
 * Undertow hands them over as sent (and {@code %2e} decoded to a dot), so the agent resolves them
 * itself: a rule must not depend on which container the application runs in.
 *
 * <p>{@code ..} above the root stays at the root. A segment whose part before {@code ;} is {@code
 * .} or {@code ..} counts as one ({@code /..;/}, which Undertow keeps as it came, is {@code ..} to
 * Tomcat and to frameworks that strip path parameters).
 */
public final class RequestPath {

  private RequestPath() {}

  /**
   * The canonical form of any path: single slashes, no trailing slash (except "/"), no dot
   * segments. Returns the argument itself when it already is.
   */
  public static String normalize(String path) {
    return withoutDotSegments(PathPattern.normalize(path));
  }

  /**
   * Resolves the dot segments of a path already canonical for {@link PathPattern#normalize}. One
   * scan and no allocation when it has none, the usual case: the argument comes back.
   */
  public static String withoutDotSegments(String canonical) {
    return hasDotSegment(canonical) ? resolve(canonical) : canonical;
  }

  /** Whether a segment of the path is ".", "..", or either with ";parameters". */
  static boolean hasDotSegment(String path) {
    int length = path.length();
    // every request passes here: String.indexOf is vectorized, a loop of charAt is not
    int at = path.indexOf("/.");
    while (at >= 0) {
      int end = at + 2;
      if (end < length && path.charAt(end) == '.') {
        end++;
      }
      if (end == length || path.charAt(end) == '/' || path.charAt(end) == ';') {
        return true;
      }
      at = path.indexOf("/.", end);
    }
    return false;
  }

  private static String resolve(String canonical) {
    StringBuilder out = new StringBuilder(canonical.length());
    int length = canonical.length();
    int start = 1; // past the leading slash
    while (start <= length) {
      int end = canonical.indexOf('/', start);
      if (end < 0) {
        end = length;
      }
      int name = canonical.indexOf(';', start);
      if (name < 0 || name > end) {
        name = end;
      }
      int nameLength = name - start;
      boolean dot = nameLength == 1 && canonical.charAt(start) == '.';
      boolean dotDot =
          nameLength == 2 && canonical.charAt(start) == '.' && canonical.charAt(start + 1) == '.';
      if (dotDot) {
        int slash = out.lastIndexOf("/");
        out.setLength(Math.max(slash, 0)); // above the root: stays at the root
      } else if (!dot && end > start) {
        out.append('/').append(canonical, start, end);
      }
      start = end + 1;
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}
