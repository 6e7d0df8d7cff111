package io.fastlimit.agent.limit;

import io.fastlimit.agent.request.RequestFacts;
import io.fastlimit.agent.rules.LoginProtection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the account a login request names, where its rule says ({@code account-from}), through
 * {@link RequestFacts}: a form field, a query parameter, a header, or the user name of an {@code
 * Authorization: Basic} header. Normalized by the rule (trimmed, case folded); null when absent.
 */
final class AccountReader {

  private AccountReader() {}

  static String account(LoginProtection login, Object request) {
    if (request == null || login.accountSource() == null) {
      return null;
    }
    RequestFacts facts = RequestFacts.of(request);
    String raw;
    switch (login.accountSource()) {
      case FORM:
        raw = facts.formParameter(request, login.accountName());
        break;
      case QUERY:
        raw = facts.queryParameter(request, login.accountName());
        break;
      case HEADER:
        raw = facts.header(request, login.accountName());
        break;
      default:
        raw = basicUser(facts.header(request, "Authorization"));
    }
    return login.normalizeAccount(raw);
  }

  /**
   * The user name of {@code Basic base64(user:password)}, or null. The scheme is taken as Spring
   * Security's BasicAuthenticationConverter takes it, the most lenient reader of the header:
   * "Basic" in any case, then any one character (a tab, a no-break space, a colon: it logs in with
   * each), then the credentials. Containers that insist on a space log in with fewer spellings;
   * reading more of them only finds the account of a header that may then be refused.
   */
  static String basicUser(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.trim();
    if (value.length() <= 6 || !value.regionMatches(true, 0, "Basic", 0, 5)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getMimeDecoder().decode(value.substring(6).trim());
    } catch (IllegalArgumentException malformed) {
      return null;
    }
    String pair = new String(decoded, StandardCharsets.UTF_8);
    int colon = pair.indexOf(':');
    return colon < 0 ? null : pair.substring(0, colon);
  }
}
