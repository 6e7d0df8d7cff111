package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.MemoryInFlightSlots;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

/** Issue 14 through the bridge: API key and JWT identity, plans, and in-flight caps. */
class ApiClientsTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  private static final String PEER = "203.0.113.10";

  private final AtomicLong clock = new AtomicLong(28_333_334L * 60_000);
  private MemoryInFlightSlots slots;

  private LimiterBridge bridge(String yaml) throws ConfigException {
    slots = new MemoryInFlightSlots(clock::get, 60_000);
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse(yaml, "rules.yaml", Map.of("JWT_SECRET", SECRET)::get),
            new MemoryBackend(clock::get, 10_000),
            new Stats(),
            slots);
    return new LimiterBridge(limiter);
  }

  private static HttpServletRequest request(Map<String, String> headers) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            ApiClientsTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                method.getName().equals("getHeader") ? headers.get((String) args[0]) : null);
  }

  private static Verdict decide(LimiterBridge bridge, Stage stage, Map<String, String> headers) {
    return bridge
        .rules()
        .decide(stage, "GET", "", "/api/orders", null, PEER, null, null, request(headers));
  }

  private static Verdict get(LimiterBridge bridge, Map<String, String> headers) {
    return decide(bridge, Stage.SERVLET_ALONE, headers);
  }

  /** Requests admitted before the first blocked one, at most {@code max}. */
  private static int admitted(LimiterBridge bridge, Map<String, String> headers, int max) {
    for (int i = 0; i < max; i++) {
      Verdict verdict = get(bridge, headers);
      if (verdict != null && verdict.isBlocked()) {
        return i;
      }
      if (verdict != null && verdict.awaitsCompletion()) {
        bridge.completed(verdict, 200, null, null);
      }
    }
    return max;
  }

  private static String header(Verdict verdict, String name) {
    for (int i = 0; i < verdict.headerCount(); i++) {
      if (verdict.headerName(i).equals(name)) {
        return verdict.headerValue(i);
      }
    }
    return null;
  }

  private String token(String subject, String plan, String secret) throws JOSEException {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
    if (plan != null) {
      claims.claim("plan", plan);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return "Bearer " + jwt.serialize();
  }

  private static final String API_KEYS =
      "user-id:\n  header: X-Api-Key\nrules:\n  - path: /api/**\n    ip: 2/min\n    user: 5/min\n";

  @Test
  void eachApiKeyHasItsOwnUserBucket() throws ConfigException {
    LimiterBridge bridge = bridge(API_KEYS);

    assertThat(admitted(bridge, Map.of("X-Api-Key", "key-a"), 10)).isEqualTo(5);
    assertThat(admitted(bridge, Map.of("X-Api-Key", "key-b"), 10)).isEqualTo(5);
    assertThat(admitted(bridge, Map.of(), 10)).as("anonymous: per IP").isEqualTo(2);
  }

  @Test
  void theApiKeyIsReadBeforeTheFilters() throws ConfigException {
    LimiterBridge bridge =
        bridge(
            "user-id:\n  header: X-Api-Key\nrules:\n  - path: /api/**\n    ip: 1/min\n"
                + "    concurrent: 1\n    before-filters: true\n");
    Map<String, String> keyA = Map.of("X-Api-Key", "key-a");

    Verdict first = decide(bridge, Stage.FILTERS, keyA);
    Verdict otherKey = decide(bridge, Stage.FILTERS, Map.of("X-Api-Key", "key-b"));
    Verdict secondOfA = decide(bridge, Stage.FILTERS, keyA);

    assertThat(first.awaitsCompletion()).isTrue();
    assertThat(otherKey.isBlocked()).as("the ip rate of the same address blocks").isTrue();
    assertThat(secondOfA.isBlocked()).as("key-a's one slot is taken").isTrue();
    assertThat(header(secondOfA, "Retry-After")).isEqualTo("1");
  }

  @Test
  void aPerUserRuleBeforeTheFiltersCountsEachKey() throws ConfigException {
    LimiterBridge bridge =
        bridge(
            "user-id:\n  header: X-Api-Key\nrules:\n  - path: /api/**\n    stage: filters\n"
                + "    user: 2/min\n");
    Map<String, String> keyA = Map.of("X-Api-Key", "key-a");

    assertThat(decide(bridge, Stage.FILTERS, keyA).isBlocked()).isFalse();
    assertThat(decide(bridge, Stage.FILTERS, keyA).isBlocked()).isFalse();
    assertThat(decide(bridge, Stage.FILTERS, keyA).isBlocked()).isTrue();
    assertThat(decide(bridge, Stage.FILTERS, Map.of("X-Api-Key", "key-b")).isBlocked()).isFalse();
    assertThat(decide(bridge, Stage.FILTERS, Map.of())).as("anonymous: no ip rate").isNull();
  }

  @Test
  void aVerifiedTokenCountsPerSubjectAndAnUnverifiedOnePerIp() throws Exception {
    LimiterBridge bridge =
        bridge(
            "user-id:\n  jwt:\n    hmac-secret: ${JWT_SECRET}\n"
                + "rules:\n  - path: /api/**\n    ip: 2/min\n    user: 5/min\n");

    assertThat(admitted(bridge, Map.of("Authorization", token("alice", null, SECRET)), 10))
        .isEqualTo(5);
    String otherSecret = "forged-forged-forged-forged-forged-forged";
    // forged tokens, each of another subject, all land in the one IP bucket
    int forged = 0;
    for (int i = 0; i < 10; i++) {
      Verdict verdict =
          get(bridge, Map.of("Authorization", token("mallory" + i, null, otherSecret)));
      forged += verdict.isBlocked() ? 0 : 1;
    }
    assertThat(forged).isEqualTo(2);
  }

  @Test
  void thePlanPicksTheRateAndAnUnknownPlanGetsTheUserRate() throws Exception {
    LimiterBridge bridge =
        bridge(
            "user-id:\n  jwt:\n    hmac-secret: ${JWT_SECRET}\nplan-from: claim:plan\n"
                + "rules:\n  - path: /api/**\n    ip: 1/min\n    user: 4/min\n"
                + "    plans:\n      free: 2/min\n      pro: 8/min\n");

    assertThat(admitted(bridge, Map.of("Authorization", token("f", "free", SECRET)), 20))
        .isEqualTo(2);
    assertThat(admitted(bridge, Map.of("Authorization", token("p", "pro", SECRET)), 20))
        .isEqualTo(8);
    assertThat(admitted(bridge, Map.of("Authorization", token("g", "gold", SECRET)), 20))
        .isEqualTo(4);
    assertThat(admitted(bridge, Map.of("Authorization", token("n", null, SECRET)), 20))
        .isEqualTo(4);
  }

  @Test
  void aPlanChangeStartsAFreshBucket() throws Exception {
    LimiterBridge bridge =
        bridge(
            "user-id:\n  header: X-Api-Key\nplan-from: header:X-Plan\n"
                + "rules:\n  - path: /api/**\n    user: 3/min\n"
                + "    plans:\n      free: 2/min\n      pro: 8/min\n");
    Map<String, String> free = Map.of("X-Api-Key", "k", "X-Plan", "free");
    Map<String, String> pro = Map.of("X-Api-Key", "k", "X-Plan", "pro");

    assertThat(admitted(bridge, free, 20)).isEqualTo(2);
    assertThat(header(get(bridge, pro), "X-RateLimit-Limit")).isEqualTo("8");
    assertThat(admitted(bridge, pro, 20)).isEqualTo(7);
  }

  private static final String CONCURRENT =
      "rules:\n  - path: /api/**\n    ip: 100/min\n    concurrent: 2\n";

  @Test
  void theRequestPastTheCapIsRefusedAtOnceWithRetryAfterOne() throws ConfigException {
    LimiterBridge bridge = bridge(CONCURRENT);

    Verdict first = get(bridge, Map.of());
    Verdict second = get(bridge, Map.of());
    Verdict third = get(bridge, Map.of());

    assertThat(first.awaitsCompletion()).isTrue();
    assertThat(second.awaitsCompletion()).isTrue();
    assertThat(third.isBlocked()).isTrue();
    assertThat(third.status()).isEqualTo(429);
    assertThat(header(third, "Retry-After")).isEqualTo("1");
    assertThat(header(third, "X-RateLimit-Limit")).isEqualTo("2");
    assertThat(header(first, "X-RateLimit-Limit")).as("the rate's headers").isEqualTo("100");
  }

  @Test
  void aCompletedRequestGivesItsSlotBack() throws ConfigException {
    LimiterBridge bridge = bridge(CONCURRENT);
    Verdict first = get(bridge, Map.of());
    get(bridge, Map.of());

    bridge.completed(first, 200, null, null);
    bridge.completed(first, 200, null, null); // twice: released once

    assertThat(get(bridge, Map.of()).awaitsCompletion()).isTrue();
    assertThat(get(bridge, Map.of()).isBlocked()).isTrue();
  }

  @Test
  void aRefusedRequestChargesNoRate() throws ConfigException {
    LimiterBridge bridge = bridge("rules:\n  - path: /api/**\n    ip: 3/min\n    concurrent: 1\n");
    Verdict held = get(bridge, Map.of());
    for (int i = 0; i < 5; i++) {
      assertThat(get(bridge, Map.of()).isBlocked()).isTrue();
    }
    bridge.completed(held, 200, null, null);

    Verdict next = get(bridge, Map.of());
    assertThat(header(next, "X-RateLimit-Remaining")).isEqualTo("1");
  }

  @Test
  void aRequestARateBlocksHoldsNoSlot() throws ConfigException {
    LimiterBridge bridge = bridge("rules:\n  - path: /api/**\n    ip: 1/min\n    concurrent: 5\n");
    Verdict admitted = get(bridge, Map.of());
    Verdict blocked = get(bridge, Map.of());

    assertThat(blocked.isBlocked()).isTrue();
    assertThat(blocked.awaitsCompletion()).isFalse();
    assertThat(slots.tryAcquire("fastlimit:/api/**:inflight-ip:{" + PEER + "}", 1))
        .as("the admitted request alone holds a slot")
        .isNull();
    bridge.completed(admitted, 200, null, null);
    assertThat(slots.keys()).isZero();
  }

  @Test
  void eachUserHasItsOwnSlotsElseTheAddress() throws ConfigException {
    LimiterBridge bridge =
        bridge("user-id:\n  header: X-Api-Key\nrules:\n  - path: /api/**\n    concurrent: 1\n");

    assertThat(get(bridge, Map.of("X-Api-Key", "a")).awaitsCompletion()).isTrue();
    assertThat(get(bridge, Map.of("X-Api-Key", "b")).awaitsCompletion()).isTrue();
    assertThat(get(bridge, Map.of("X-Api-Key", "a")).isBlocked()).isTrue();
    assertThat(get(bridge, Map.of()).awaitsCompletion()).isTrue();
    assertThat(get(bridge, Map.of()).isBlocked()).isTrue();
  }

  @Test
  void aSlotNeverReportedEndsWithItsLease() throws ConfigException {
    LimiterBridge bridge = bridge("rules:\n  - path: /api/**\n    concurrent: 1\n");
    assertThat(get(bridge, Map.of()).awaitsCompletion()).isTrue();
    assertThat(get(bridge, Map.of()).isBlocked()).isTrue();

    clock.addAndGet(60_001);

    assertThat(get(bridge, Map.of()).awaitsCompletion()).isTrue();
  }

  @Test
  void aFailuresOnlyRuleWithACapIsSettledAndReleasedWhenTheRequestEnds() throws ConfigException {
    LimiterBridge bridge =
        bridge(
            "rules:\n  - path: /api/**\n    ip: 2/min\n    count: failures\n    concurrent: 1\n");

    for (int i = 0; i < 5; i++) {
      Verdict verdict = get(bridge, Map.of());
      assertThat(verdict.awaitsCompletion()).as("request %d", i).isTrue();
      assertThat(get(bridge, Map.of()).isBlocked()).as("the one slot is taken").isTrue();
      bridge.completed(verdict, 200, null, null); // a success: given back, and the slot freed
    }
    Verdict failing = get(bridge, Map.of());
    bridge.completed(failing, 401, null, null);
    Verdict failingAgain = get(bridge, Map.of());
    bridge.completed(failingAgain, 401, null, null);
    assertThat(get(bridge, Map.of()).isBlocked()).as("two failures spent the rate").isTrue();
  }

  @Test
  void dryRunRulesTakeNoSlots() throws ConfigException {
    LimiterBridge bridge =
        bridge(
            "rules:\n  - path: /api/**\n    ip: 100/min\n    concurrent: 1\n    dry-run: true\n");
    Map<String, String> none = new HashMap<>();

    for (int i = 0; i < 3; i++) {
      Verdict verdict = get(bridge, none);
      assertThat(verdict.isBlocked()).isFalse();
      assertThat(verdict.awaitsCompletion()).isFalse();
    }
  }
}
