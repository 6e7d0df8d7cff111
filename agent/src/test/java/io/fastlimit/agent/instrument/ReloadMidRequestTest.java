package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.BridgeHolder;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContext;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reload that lands while the advice is reading a request: the request is decided wholly by the
 * rules it started with (DESIGN: rules are a snapshot swapped atomically), never by the user id of
 * one version and the rules of the next.
 */
class ReloadMidRequestTest {

  private static final String VERSION_A =
      "user-id:\n  attribute: uid\nrules:\n  - name: a\n    path: /login\n    user: 5/min\n";
  private static final String VERSION_B =
      "user-id:\n  attribute: uid\nrules:\n  - name: b\n    path: /login\n    user: 5/min\n";

  private final Map<String, Object> attributes = new HashMap<>();

  @BeforeAll
  static void installHelpers() throws Exception {
    FakeServlet.installHelpers();
  }

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  private static AgentConfig parse(String yaml) throws Exception {
    return ConfigLoader.parse(yaml, "rules.yaml", name -> null);
  }

  @Test
  void aReloadBetweenTheAdvicesReadsDoesNotMixTwoRuleVersions() throws Exception {
    RateLimiter limiter =
        new RateLimiter(parse(VERSION_A), new MemoryBackend(() -> 1_000_000L, 100), new Stats());
    AgentConfig versionB = parse(VERSION_B);
    BridgeHolder.set(new LimiterBridge(limiter));
    attributes.put("uid", "alice");
    // the reload lands while the advice reads the user id, after it read the configuration
    HttpServletRequest request = request(() -> limiter.update(versionB));

    ServletApiAdvice.enter(this, request, response(), "service", null);

    assertThat(limiter.stats().forRule("a").allowedCount())
        .as("decided by the version the request started with")
        .isEqualTo(1);
    assertThat(limiter.stats().forRule("b").allowedCount()).isZero();
  }

  private HttpServletRequest request(Runnable onUserIdRead) {
    ServletContext context = FakeServlet.rootContext();
    return FakeServlet.of(
        HttpServletRequest.class,
        (proxy, method, args) ->
            switch (method.getName()) {
              case "getDispatcherType" -> DispatcherType.REQUEST;
              case "getAttribute" -> {
                if ("uid".equals(args[0])) {
                  onUserIdRead.run();
                }
                yield attributes.get((String) args[0]);
              }
              case "setAttribute" -> attributes.put((String) args[0], args[1]);
              case "getServletContext" -> context;
              case "getServletPath" -> "/login";
              case "getMethod" -> "POST";
              case "getRemoteAddr" -> "203.0.113.7";
              default -> null;
            });
  }

  private HttpServletResponse response() {
    return FakeServlet.of(
        HttpServletResponse.class,
        (proxy, method, args) -> method.getName().equals("isCommitted") ? false : null);
  }
}
