package io.fastlimit.agent.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled path pattern: exact ({@code /login}) or Ant style, where {@code *} matches within one
 * segment, {@code ?} one character and {@code **} any number of whole segments ({@code /api/**}
 * matches {@code /api} too). Matching treats runs of slashes as one and ignores a trailing slash,
 * because containers and frameworks route {@code /login/} and {@code //login} to {@code /login}.
 */
public final class PathPattern {

  private static final byte LITERAL = 0;
  private static final byte GLOB = 1;
  private static final byte ANY_SEGMENTS = 2;

  private final String text;
  private final String[] segments;
  private final byte[] kinds;
  private final String exactPath;

  private PathPattern(String text, String[] segments, byte[] kinds, String exactPath) {
    this.text = text;
    this.segments = segments;
    this.kinds = kinds;
    this.exactPath = exactPath;
  }

  /** Compiles a pattern; throws IllegalArgumentException saying what is wrong and what is valid. */
  public static PathPattern compile(String text) {
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new IllegalArgumentException(
          "invalid path '" + text + "': a path starts with '/', e.g. /login or /api/**");
    }
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (Character.isWhitespace(ch) || Character.isISOControl(ch)) {
        throw new IllegalArgumentException(
            "invalid path '" + text + "': white space or control characters cannot appear");
      }
      if (ch == '{' || ch == '}') {
        throw new IllegalArgumentException(
            "invalid path '"
                + text
                + "': {variables} are not patterns here; write * for one segment, e.g."
                + " /users/*/orders");
      }
    }
    List<String> parts = new ArrayList<>();
    for (String part : text.split("/")) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    String[] segments = parts.toArray(new String[0]);
    byte[] kinds = new byte[segments.length];
    boolean exact = true;
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals("**")) {
        kinds[i] = ANY_SEGMENTS;
        exact = false;
      } else if (segment.contains("**")) {
        throw new IllegalArgumentException(
            "invalid path '"
                + text
                + "': '**' must be a whole segment, e.g. /api/** (use * inside a segment)");
      } else if (segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0) {
        kinds[i] = GLOB;
        exact = false;
      } else {
        kinds[i] = LITERAL;
      }
    }
    return new PathPattern(text, segments, kinds, exact ? normalize(text) : null);
  }

  /**
   * The canonical form of a path for matching: single slashes, no trailing slash (except "/").
   * Returns the argument itself when it is already canonical, so the common case allocates nothing.
   */
  public static String normalize(String path) {
    int length = path.length();
    // every request passes here: String.indexOf is vectorized, a loop of charAt is not
    if (length > 0
        && path.charAt(0) == '/'
        && (length == 1 || path.charAt(length - 1) != '/')
        && path.indexOf("//") < 0) {
      return path;
    }
    StringBuilder out = new StringBuilder(length + 1);
    for (int i = 0; i < length; i++) {
      char ch = path.charAt(i);
      if (ch != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
        if (out.length() == 0 && ch != '/') {
          out.append('/');
        }
        out.append(ch);
      }
    }
    if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
      out.setLength(out.length() - 1);
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /**
   * The literal segments the pattern starts with, before its first wildcard: {@code /api/v1/**}
   * gives [api, v1]. Every path it matches starts with them, which lets a rule index skip the
   * patterns a path cannot match.
   */
  public String[] literalPrefix() {
    int count = 0;
    while (count < segments.length && kinds[count] == LITERAL) {
      count++;
    }
    String[] prefix = new String[count];
    System.arraycopy(segments, 0, prefix, 0, count);
    return prefix;
  }

  /** The canonical path this pattern matches, when it has no wildcard; else null. */
  public String exactPath() {
    return exactPath;
  }

  /**
   * Whether a canonical path (see {@link #normalize}) matches. Like wildcard matching of text, with
   * segments for characters: on a mismatch only the last {@code **} seen takes one more segment,
   * because any earlier one's choices are covered by it. So the work is at most path segments x
   * pattern segments however many {@code **} there are, where trying every split would grow with
   * the path to the power of their number.
   */
  public boolean matches(String path) {
    return matchesAfter(path, 0, 1);
  }

  /**
   * As {@link #matches}, for a canonical path whose first {@code segment} segments are already
   * known to equal this pattern's first (literal) segments, continuing at {@code position}, the
   * index where the path's next segment starts. The rule index has compared them on its way down,
   * so they are not compared twice.
   */
  public boolean matchesAfter(String path, int segment, int position) {
    if (segment == segments.length - 1 && kinds[segment] == ANY_SEGMENTS) {
      return true; // a trailing ** takes whatever is left, nothing included: /api/** and /api/x/y
    }
    int length = path.length();
    int starSegment = -1;
    int starPosition = 0;
    while (position < length) {
      if (segment < segments.length && kinds[segment] == ANY_SEGMENTS) {
        starSegment = segment++;
        starPosition = position;
        continue;
      }
      int end = segmentEnd(path, position);
      if (segment < segments.length && segmentMatches(segment, path, position, end)) {
        segment++;
        position = end + 1;
      } else if (starSegment >= 0) {
        starPosition = segmentEnd(path, starPosition) + 1;
        position = starPosition;
        segment = starSegment + 1;
      } else {
        return false;
      }
    }
    while (segment < segments.length && kinds[segment] == ANY_SEGMENTS) {
      segment++;
    }
    return segment == segments.length;
  }

  private boolean segmentMatches(int segment, String path, int from, int to) {
    return kinds[segment] == LITERAL
        ? to - from == segments[segment].length()
            && path.regionMatches(from, segments[segment], 0, to - from)
        : globMatches(segments[segment], path, from, to);
  }

  private static int segmentEnd(String path, int position) {
    int slash = path.indexOf('/', position);
    return slash < 0 ? path.length() : slash;
  }

  /** Wildcard match of one segment: '*' any run, '?' one character; linear with backtracking. */
  private static boolean globMatches(String glob, String path, int from, int to) {
    int g = 0;
    int p = from;
    int starG = -1;
    int starP = -1;
    while (p < to) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == path.charAt(p))) {
        g++;
        p++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        starG = g++;
        starP = p;
      } else if (starG >= 0) {
        g = starG + 1;
        p = ++starP;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  @Override
  public String toString() {
    return text;
  }
}
