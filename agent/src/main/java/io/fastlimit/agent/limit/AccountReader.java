package io.fastlimit.agent.limit;

import io.fastlimit.agent.request.RequestFacts;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.bootstrap.FormBodies;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Reads the account a login request names, where its rule says ({@code account-from}), through
 * {@link RequestFacts}: a form field, a query parameter, a header, or the user name of an {@code
 * Authorization: Basic} header. Normalized by the rule (trimmed, case folded); null when absent.
 */
final class AccountReader {

  /**
   * The account of every login whose form the agent leaves unread because of what its sender chose
   * ({@link #formLeftUnread}): one bucket per rule that all such requests share. Otherwise padding
   * a login past 16 KiB, or sending it chunked, would name no account, and guesses at one account
   * from rotating addresses would meet only the ip bucket. Real browsers send a login form of a few
   * hundred bytes with its length; what shares this bucket is a client that chose otherwise. No
   * account read from a request takes this key: trimming drops its leading NUL.
   */
  static final String UNREAD_FORM = "\u0000unread form";

  private AccountReader() {}

  /**
   * Whether a urlencoded request's body is one the agent does not read for its sender's choices: no
   * length (chunked, or HTTP/2 without one), a length above {@link FormBodies#MAX_BODY}, an {@code
   * Expect: 100-continue}, or a {@code Content-Encoding}. A form of known small length the agent
   * reads, and a field absent from it names no account (the application's login then finds none
   * either), so a form posted to the same path without the field (a password reset) never meets
   * this bucket.
   */
  static boolean formLeftUnread(RequestFacts facts, Object request) {
    String type = facts.header(request, "Content-Type");
    if (type == null || !FormBodies.isUrlEncodedForm(type)) {
      return false;
    }
    String length = facts.header(request, "Content-Length");
    if (length == null || facts.header(request, "Transfer-Encoding") != null) {
      return true; // a Transfer-Encoding overrides a Content-Length sent beside it
    }
    try {
      if (Long.parseLong(length.trim()) > FormBodies.MAX_BODY) {
        return true;
      }
    } catch (NumberFormatException malformed) {
      return true;
    }
    String expect = facts.header(request, "Expect");
    if (expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue")) {
      return true;
    }
    String encoding = facts.header(request, "Content-Encoding");
    return encoding != null && !encoding.trim().equalsIgnoreCase("identity");
  }

  static String account(LoginProtection login, Object request) {
    if (request == null || login.accountSource() == null) {
      return null;
    }
    RequestFacts facts = RequestFacts.of(request);
    String raw;
    switch (login.accountSource()) {
      case FORM:
        raw = facts.formParameter(request, login.accountName());
        if (raw == null && formLeftUnread(facts, request)) {
          return UNREAD_FORM;
        }
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
