package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code account-from: form:NAME} must name the account the application's login reads. Servlet
 * logins (Spring Security's form login, Tomcat's and Jetty's FORM authenticators, a login servlet)
 * read it with {@code getParameter}, which presents the query string's parameters before the
 * body's: an account the agent looked for only in the body could be sent in the query string
 * (alone, or ahead of a body naming a new account each time) and never meet its bucket.
 */
class AccountSpellingTest {

  private static final String PER_ACCOUNT =
      "rules:\n  - path: /login\n    methods: [POST]\n    ip: 100/min\n"
          + "    account: 3/15min\n    account-from: form:j_username\n    count: failures\n";

  private final AtomicLong clock = new AtomicLong(28_333_334L * 60_000);
  private LimiterBridge bridge;

  private void rules(String yaml) throws ConfigException {
    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(yaml, "rules.yaml", name -> null),
                new MemoryBackend(clock::get, 10_000),
                new Stats()));
  }

  /**
   * A servlet request with this query string and content type (no charset in it, as browsers send
   * forms), whose container's getParameter answers {@code parameter} for j_username (the query
   * string's value, which comes first).
   */
  private static HttpServletRequest request(String query, String contentType, String parameter) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            AccountSpellingTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getQueryString":
                  return query;
                case "getContentType":
                  return contentType;
                case "getParameter":
                  return "j_username".equals(args[0]) ? parameter : null;
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                default:
                  return null;
              }
            });
  }

  private boolean failedAttempt(String peer, HttpServletRequest request) {
    Verdict verdict =
        bridge
            .rules()
            .decide(Stage.SERVLET_ALONE, "POST", "", "/login", null, peer, null, null, request);
    assertThat(verdict).isNotNull();
    if (verdict.isBlocked()) {
      return false;
    }
    bridge.completed(verdict, 401, null, null);
    return true;
  }

  @Test
  void anAccountInTheQueryStringOfABodylessPostIsLimited() throws ConfigException {
    rules(PER_ACCOUNT);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      HttpServletRequest attempt = request("j_username=alice&j_password=guess" + i, null, "alice");
      admitted += failedAttempt("198.51.100." + i, attempt) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
  }

  @Test
  void anAccountInTheQueryStringOutranksTheBodysAsGetParameterDoes() throws ConfigException {
    rules(PER_ACCOUNT);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      // the body (not readable here: no container behind the proxy) would name "decoy<i>"
      HttpServletRequest attempt =
          request("j_username=alice", "application/x-www-form-urlencoded", "alice");
      admitted += failedAttempt("198.51.100." + i, attempt) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
  }

  @Test
  void aMalformedQueryParameterIsSkippedAsTomcatSkipsIt() throws ConfigException {
    rules(PER_ACCOUNT);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      // Tomcat 9 and 10.1 drop a parameter whose escape is malformed: getParameter is "alice"
      HttpServletRequest attempt =
          request("j_username=%zz" + i + "&j_username=alice", null, "alice");
      admitted += failedAttempt("198.51.100." + i, attempt) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Basic\t", "BasicX", "basic:", "BASIC\u00a0", "Basic  "})
  void aBasicUserIsTheAccountHoweverTheSchemeIsSeparated(String scheme) throws ConfigException {
    // Spring Security's BasicAuthenticationConverter takes "Basic" in any case and decodes what
    // follows its 6th character, whatever that character is: each of these logs in as alice
    rules(
        "rules:\n  - path: /login\n    methods: [POST]\n    ip: 100/min\n"
            + "    account: 3/15min\n    account-from: basic-user\n    count: failures\n");
    String credentials =
        Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      HttpServletRequest attempt = LoginRequests.withHeader("Authorization", scheme + credentials);
      admitted += failedAttempt("198.51.100." + i, attempt) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
  }
}
