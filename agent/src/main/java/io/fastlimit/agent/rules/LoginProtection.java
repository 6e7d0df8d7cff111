package io.fastlimit.agent.rules;

import java.text.Normalizer;
import java.util.Locale;

/**
 * What a rule does for a login: the second bucket keyed by the account a request names ({@code
 * account}, {@code account-from}) and whether only failed attempts use the buckets ({@code count:
 * failures}, with what a failure is). Immutable; {@link #NONE} for a rule that uses neither.
 */
public final class LoginProtection {

  /** Where the account comes from. */
  public enum Source {
    FORM("form:"),
    QUERY("query:"),
    HEADER("header:"),
    BASIC_USER("basic-user");

    private final String configPrefix;

    Source(String configPrefix) {
      this.configPrefix = configPrefix;
    }

    public String configPrefix() {
      return configPrefix;
    }
  }

  /** Statuses that are failures when the rule does not say: 401 and 403. */
  public static final int[] DEFAULT_FAILURE_STATUSES = {401, 403};

  /** No account bucket, every attempt counted. */
  public static final LoginProtection NONE =
      new LoginProtection(null, null, null, true, false, DEFAULT_FAILURE_STATUSES, null, null);

  private final Rate accountRate;
  private final Source accountSource;
  private final String accountName;
  private final boolean accountIgnoreCase;
  private final boolean countFailuresOnly;
  private final int[] failureStatuses;
  private final String[] failureRedirects;
  private final String[] failureForwards;

  /**
   * @param accountRate the account bucket's rate, or null for none (then source and name are null)
   * @param accountName the form field, query parameter or header; null for basic-user
   * @param failureRedirects Location patterns ({@code *} any text); null for none
   * @param failureForwards forward paths ({@code *} any text); null for none
   */
  public LoginProtection(
      Rate accountRate,
      Source accountSource,
      String accountName,
      boolean accountIgnoreCase,
      boolean countFailuresOnly,
      int[] failureStatuses,
      String[] failureRedirects,
      String[] failureForwards) {
    this.accountRate = accountRate;
    this.accountSource = accountSource;
    this.accountName = accountName;
    this.accountIgnoreCase = accountIgnoreCase;
    this.countFailuresOnly = countFailuresOnly;
    this.failureStatuses = failureStatuses.clone();
    this.failureRedirects = failureRedirects == null ? new String[0] : failureRedirects.clone();
    this.failureForwards = failureForwards == null ? new String[0] : failureForwards.clone();
  }

  /** The account bucket's rate, or null when the rule has no account bucket. */
  public Rate accountRate() {
    return accountRate;
  }

  /** Where the account comes from; null without an account bucket. */
  public Source accountSource() {
    return accountSource;
  }

  /** The form field, query parameter or header named; null for basic-user. */
  public String accountName() {
    return accountName;
  }

  public boolean accountIgnoreCase() {
    return accountIgnoreCase;
  }

  /** {@code count: failures}: an admitted request keeps its charge only if it failed. */
  public boolean countFailuresOnly() {
    return countFailuresOnly;
  }

  /**
   * The account as a bucket is keyed by: trimmed, and unless the rule compares case, folded as
   * {@link #fold} does; null when there is none (empty after trimming).
   */
  public String normalizeAccount(String raw) {
    if (raw == null) {
      return null;
    }
    String trimmed = raw.trim();
    if (trimmed.isEmpty() || !accountIgnoreCase) {
      return trimmed.isEmpty() ? null : trimmed;
    }
    String folded = fold(trimmed);
    return folded.isEmpty() ? null : folded;
  }

  /**
   * The account as a case- and accent-insensitive collation compares it (MySQL's default {@code
   * utf8mb4_0900_ai_ci}, SQL Server's {@code *_CI_AI}, a directory's case-ignore match): lower
   * case, accents and width folded ({@code Alicé}, fullwidth {@code ａｌｉｃｅ}, {@code alice} with a
   * combining accent are all {@code alice}), zero-width and control characters dropped, spaces the
   * compatibility forms turn up trimmed. Otherwise each spelling that such a database takes for the
   * same user would be an account bucket of its own, and guesses at one account could rotate
   * through them. Folding too much only makes a few accounts share a bucket: the safe side. ASCII
   * accounts, the usual case, are only lower-cased.
   */
  static String fold(String account) {
    int length = account.length();
    int i = 0;
    while (i < length && account.charAt(i) >= ' ' && account.charAt(i) < 0x7F) {
      i++;
    }
    if (i == length) {
      return account.toLowerCase(Locale.ROOT);
    }
    String decomposed = Normalizer.normalize(account, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(decomposed.length());
    // by code point: a char of a supplementary character (tag characters, variation selectors
    // U+E0100 on, musical symbols' marks) is a surrogate, whose type says nothing
    for (int at = 0; at < decomposed.length(); ) {
      int point = decomposed.codePointAt(at);
      at += Character.charCount(point);
      if (!ignorable(point)) {
        out.appendCodePoint(point);
      }
    }
    // lower case can decompose again (U+0130, I with a dot above, is i and a combining dot)
    String lower = out.toString().toLowerCase(Locale.ROOT);
    return isFolded(lower) ? lower.trim() : fold(lower);
  }

  private static boolean isFolded(String text) {
    for (int at = 0; at < text.length(); ) {
      int point = text.codePointAt(at);
      at += Character.charCount(point);
      if (ignorable(point)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Accents, zero-width and format characters, controls, and unpaired surrogates: what the
   * collations ignore, or no user name holds.
   */
  private static boolean ignorable(int point) {
    switch (Character.getType(point)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.FORMAT:
      case Character.CONTROL:
      case Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  /**
   * Whether a response is a failure by this rule: its status is one of the failure statuses, its
   * Location (as sent, or its path and query when absolute) matches a redirect pattern, or its
   * forward target (inside the application, as it forwards: without the context path) a forward
   * pattern. {@code status} 0 (unknown: the application failed or the request was abandoned) counts
   * as a failure, so that an attempt nobody saw end never frees its charge.
   */
  public boolean isFailure(int status, String location, String forwardPath) {
    if (status == 0) {
      return true;
    }
    for (int failing : failureStatuses) {
      if (failing == status) {
        return true;
      }
    }
    if (location != null) {
      String path = pathOf(location);
      for (String pattern : failureRedirects) {
        if (Glob.matches(pattern, location) || (path != null && Glob.matches(pattern, path))) {
          return true;
        }
      }
    }
    if (forwardPath != null) {
      for (String pattern : failureForwards) {
        if (Glob.matches(pattern, forwardPath)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The path and query of an absolute URL ("https://host/login?error" gives "/login?error"). */
  private static String pathOf(String location) {
    int scheme = location.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int slash = location.indexOf('/', scheme + 3);
    return slash < 0 ? "/" : location.substring(slash);
  }

  /** One line for `check` output; empty for {@link #NONE}. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    if (accountRate != null) {
      out.append(" account=").append(accountRate).append(" account-from=");
      out.append(accountSource.configPrefix()).append(accountName == null ? "" : accountName);
      if (!accountIgnoreCase) {
        out.append(" account-ignore-case=false");
      }
    }
    if (countFailuresOnly) {
      out.append(" count=failures status=").append(java.util.Arrays.toString(failureStatuses));
      if (failureRedirects.length > 0) {
        out.append(" redirect=").append(java.util.Arrays.toString(failureRedirects));
      }
      if (failureForwards.length > 0) {
        out.append(" forward=").append(java.util.Arrays.toString(failureForwards));
      }
    }
    return out.toString();
  }

  /** Patterns where {@code *} stands for any text, everything else for itself. */
  static final class Glob {
    private Glob() {}

    static boolean matches(String pattern, String text) {
      return matches(pattern, 0, text, 0);
    }

    private static boolean matches(String pattern, int p, String text, int t) {
      // iterative with one backtrack point: linear for patterns with few stars
      int starP = -1;
      int starT = -1;
      while (t < text.length()) {
        if (p < pattern.length() && pattern.charAt(p) == '*') {
          starP = p++;
          starT = t;
        } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
          p++;
          t++;
        } else if (starP >= 0) {
          p = starP + 1;
          t = ++starT;
        } else {
          return false;
        }
      }
      while (p < pattern.length() && pattern.charAt(p) == '*') {
        p++;
      }
      return p == pattern.length();
    }
  }
}
