package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A login form the agent leaves unread for its sender's choices (past 16 KiB, chunked, {@code
 * Expect: 100-continue}, compressed) used to name no account: only the ip bucket applied, so
 * guesses at one account from rotating addresses, each padded past 16 KiB, were never limited per
 * account (shown on Tomcat by the adversarial review). Such logins now share one account bucket per
 * rule; a small form without the field never meets it.
 */
class UnreadFormTest {

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
   * A urlencoded servlet request with these headers whose body the agent cannot read here (no
   * container behind the proxy, no charset decided): its form field is never found.
   */
  private static HttpServletRequest form(String... headerPairs) {
    Map<String, String> headers = new HashMap<>();
    headers.put("content-type", "application/x-www-form-urlencoded");
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.put(headerPairs[i].toLowerCase(), headerPairs[i + 1]);
    }
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            UnreadFormTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getHeader":
                  return headers.get(((String) args[0]).toLowerCase());
                case "getContentType":
                  return headers.get("content-type");
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                default:
                  return null;
              }
            });
  }

  private int admittedFailures(HttpServletRequest... attempts) {
    int admitted = 0;
    for (int i = 0; i < attempts.length; i++) {
      Verdict verdict =
          bridge
              .rules()
              .decide(
                  Stage.SERVLET_ALONE,
                  "POST",
                  "",
                  "/login",
                  null,
                  "198.51.100." + i,
                  null,
                  null,
                  attempts[i]);
      assertThat(verdict).isNotNull();
      if (!verdict.isBlocked()) {
        bridge.completed(verdict, 401, null, null);
        admitted++;
      }
    }
    return admitted;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"padded", "chunked", "chunked with a length", "expect", "gzip", "bad length"})
  void unreadLoginsFromRotatingAddressesShareOneAccountBucket(String how) throws ConfigException {
    rules(PER_ACCOUNT);
    HttpServletRequest[] attempts = new HttpServletRequest[10];
    for (int i = 0; i < attempts.length; i++) {
      switch (how) {
        case "padded":
          attempts[i] = form("Content-Length", "16385");
          break;
        case "chunked":
          attempts[i] = form("Transfer-Encoding", "chunked");
          break;
        case "chunked with a length":
          attempts[i] = form("Content-Length", "40", "Transfer-Encoding", "chunked");
          break;
        case "expect":
          attempts[i] = form("Content-Length", "40", "Expect", "100-Continue");
          break;
        case "gzip":
          attempts[i] = form("Content-Length", "40", "Content-Encoding", "gzip");
          break;
        default:
          attempts[i] = form("Content-Length", "40x");
      }
    }
    assertThat(admittedFailures(attempts)).isEqualTo(3);
  }

  @Test
  void aSmallFormWithoutTheFieldNeverMeetsTheSharedBucket() throws ConfigException {
    rules(PER_ACCOUNT);
    HttpServletRequest[] attempts = new HttpServletRequest[10];
    for (int i = 0; i < attempts.length; i++) {
      attempts[i] = form("Content-Length", "16384", "Content-Encoding", "identity");
    }
    assertThat(admittedFailures(attempts)).as("the ip bucket alone: 100/min").isEqualTo(10);
  }

  @Test
  void noAccountReadFromARequestTakesTheSharedKey() throws ConfigException {
    for (String yaml :
        new String[] {PER_ACCOUNT, PER_ACCOUNT + "    account-ignore-case: false\n"}) {
      LoginProtection login =
          ConfigLoader.parse(yaml, "rules.yaml", name -> null).rules().rules().get(0).login();
      assertThat(login.normalizeAccount(AccountReader.UNREAD_FORM))
          .as("a sender spelling the key")
          .isNotEqualTo(AccountReader.UNREAD_FORM);
    }
  }
}
