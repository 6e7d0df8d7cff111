package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimiterTest {

  private static final long MINUTE = 60_000;

  /** On a minute boundary, so fixed windows start here. */
  private static final long START = 28_333_334L * MINUTE;

  private static final String LIMIT = "X-RateLimit-Limit";
  private static final String REMAINING = "X-RateLimit-Remaining";
  private static final String RESET = "X-RateLimit-Reset";
  private static final String RETRY_AFTER = "Retry-After";

  private static final String PEER = "203.0.113.10";

  private final AtomicLong clock = new AtomicLong(START);

  private RateLimiter limiter(String yaml) throws ConfigException {
    return new RateLimiter(
        ConfigLoader.parse(yaml, "rules.yaml", name -> null),
        new MemoryBackend(clock::get, 10_000),
        new Stats());
  }

  /** The whole decision the advice asks for when no filter ran: limiter, bridge and verdict. */
  private static Verdict decide(
      RateLimiter limiter,
      String method,
      String path,
      String peer,
      String forwardedFor,
      String user) {
    return new LimiterBridge(limiter)
        .rules()
        .decide(Stage.SERVLET_ALONE, method, "", path, null, peer, forwardedFor, user);
  }

  private static Verdict get(RateLimiter limiter, String path) {
    return decide(limiter, "GET", path, PEER, null, null);
  }

  private static Verdict asUser(RateLimiter limiter, String path, String peer, String user) {
    return decide(limiter, "GET", path, peer, null, user);
  }

  private static Map<String, String> headers(Verdict verdict) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < verdict.headerCount(); i++) {
      headers.put(verdict.headerName(i), verdict.headerValue(i));
    }
    return headers;
  }

  /** Sends requests until one is blocked; returns how many were admitted (at most max). */
  private static int admittedUntilBlocked(RateLimiter limiter, String path, int max) {
    for (int i = 0; i < max; i++) {
      Verdict verdict = get(limiter, path);
      if (verdict != null && verdict.isBlocked()) {
        return i;
      }
    }
    return max;
  }

  @Test
  void unmatchedPathGetsNoVerdict() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /login\n    limit: 5/min\n");

    assertThat(get(limiter, "/logout")).isNull();
    assertThat(get(limiter, "/login/more")).isNull();
    assertThat(decide(limiter, null, "/login", PEER, null, null)).isNull();
    assertThat(decide(limiter, "GET", null, PEER, null, null)).isNull();
  }

  @Test
  void matchedRequestGetsLimitRemainingAndReset() throws ConfigException {
    RateLimiter limiter =
        limiter("algorithm: fixed-window\nrules:\n  - path: /login\n    limit: 5/min\n");
    clock.set(START + 10_000);

    Verdict verdict = get(limiter, "/login");

    assertThat(verdict).isNotNull();
    assertThat(verdict.isBlocked()).isFalse();
    assertThat(headers(verdict))
        .containsExactly(
            Map.entry(LIMIT, "5"),
            Map.entry(REMAINING, "4"),
            Map.entry(RESET, Long.toString((START + MINUTE) / 1000)));
    assertThat(headers(get(limiter, "/login"))).containsEntry(REMAINING, "3");
  }

  @Test
  void pathIsMatchedInItsCanonicalForm() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /login\n    limit: 2/min\n");

    get(limiter, "/login/");
    get(limiter, "//login");

    assertThat(get(limiter, "/login").isBlocked()).isTrue();
  }

  @Test
  void requestOverTheLimitIsBlockedWithA429RetryAfterAndJsonBody() throws ConfigException {
    RateLimiter limiter =
        limiter("algorithm: fixed-window\nrules:\n  - path: /login\n    limit: 5/min\n");
    clock.set(START + 10_000);
    for (int i = 0; i < 5; i++) {
      assertThat(get(limiter, "/login").isBlocked()).isFalse();
    }

    Verdict blocked = get(limiter, "/login");

    assertThat(blocked.isBlocked()).isTrue();
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.contentType()).isEqualTo("application/json");
    assertThat(headers(blocked))
        .containsExactly(
            Map.entry(LIMIT, "5"),
            Map.entry(REMAINING, "0"),
            Map.entry(RESET, Long.toString((START + MINUTE) / 1000)),
            Map.entry(RETRY_AFTER, "50"));
    assertThat(blocked.bodyText())
        .isEqualTo("{\"detail\":\"Rate limit exceeded. Try again in 50s.\",\"retry_after\":50}");
    assertThat(blocked.bodyLength()).isEqualTo(blocked.bodyText().length());
  }

  @Test
  void retryAfterIsRoundedUpToWholeSeconds() throws ConfigException {
    RateLimiter limiter =
        limiter("algorithm: fixed-window\nrules:\n  - path: /a\n    limit: 1/min\n");
    clock.set(START + 10_500);
    get(limiter, "/a");

    assertThat(headers(get(limiter, "/a"))).containsEntry(RETRY_AFTER, "50"); // 49.5 s
    clock.set(START + 59_999);
    assertThat(headers(get(limiter, "/a"))).containsEntry(RETRY_AFTER, "1"); // 1 ms
  }

  @ParameterizedTest
  @ValueSource(strings = {"sliding-window", "fixed-window", "token-bucket"})
  void blockedClientIsAdmittedWhenRetryAfterHasPassed(String algorithm) throws ConfigException {
    RateLimiter limiter =
        limiter("algorithm: " + algorithm + "\nrules:\n  - path: /a\n    limit: 3/7s\n");
    for (long offset : new long[] {0, 1, 999, 3_500, 6_999}) {
      clock.set(START + 100 * MINUTE * offset + offset);
      int blockedSeen = 0;
      for (int round = 0; round < 5; round++) {
        admittedUntilBlocked(limiter, "/a", 10);
        Verdict blocked = get(limiter, "/a");
        assertThat(blocked.isBlocked()).isTrue();
        long retryAfter = Long.parseLong(headers(blocked).get(RETRY_AFTER));
        assertThat(retryAfter).isBetween(1L, 14L); // a sliding window may need two windows
        blockedSeen++;

        clock.addAndGet(retryAfter * 1000);
        assertThat(get(limiter, "/a").isBlocked()).as("%s at Retry-After", algorithm).isFalse();
      }
      assertThat(blockedSeen).isEqualTo(5);
    }
  }

  @Test
  void exemptClientGetsNoVerdictAndUsesNothing() throws ConfigException {
    RateLimiter limiter =
        limiter("exempt-ips: [203.0.113.0/24]\nrules:\n  - path: /a\n    limit: 1/min\n");

    for (int i = 0; i < 5; i++) {
      assertThat(get(limiter, "/a")).isNull();
    }
    assertThat(decide(limiter, "GET", "/a", "198.51.100.1", null, null).isBlocked()).isFalse();
  }

  @Test
  void spoofedForwardedForIsIgnored() throws ConfigException {
    RateLimiter limiter =
        limiter("exempt-ips: [127.0.0.1]\nrules:\n  - path: /a\n    limit: 1/min\n");

    assertThat(limiter.snapshot().forwardedForHeader()).isNull();
    decide(limiter, "GET", "/a", PEER, "127.0.0.1", null);
    Verdict second = decide(limiter, "GET", "/a", PEER, "127.0.0.2", null);

    assertThat(second.isBlocked()).isTrue();
  }

  @Test
  void clientsBehindTrustedProxyGetTheirOwnBuckets() throws ConfigException {
    RateLimiter limiter = limiter("trusted-proxies: 1\nrules:\n  - path: /a\n    limit: 1/min\n");

    assertThat(limiter.snapshot().forwardedForHeader()).isEqualTo("X-Forwarded-For");
    assertThat(decide(limiter, "GET", "/a", "10.0.0.1", "198.51.100.1", null).isBlocked())
        .isFalse();
    assertThat(decide(limiter, "GET", "/a", "10.0.0.1", "198.51.100.2", null).isBlocked())
        .isFalse();
    assertThat(decide(limiter, "GET", "/a", "10.0.0.1", "198.51.100.1", null).isBlocked()).isTrue();
  }

  @Test
  void userWithAnIdUsesTheUserBucketWhereverTheyComeFrom() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /api\n    ip: 2/min\n    user: 5/min\n");

    Verdict first = asUser(limiter, "/api", "198.51.100.1", "alice");
    assertThat(headers(first)).containsEntry(LIMIT, "5").containsEntry(REMAINING, "4");
    for (int i = 0; i < 4; i++) {
      assertThat(asUser(limiter, "/api", "198.51.100." + (i + 2), "alice").isBlocked()).isFalse();
    }
    assertThat(asUser(limiter, "/api", "198.51.100.9", "alice").isBlocked()).isTrue();
    // another user, and anonymous clients, are counted apart
    assertThat(asUser(limiter, "/api", "198.51.100.1", "bob").isBlocked()).isFalse();
    assertThat(headers(asUser(limiter, "/api", "198.51.100.1", null)))
        .containsEntry(LIMIT, "2")
        .containsEntry(REMAINING, "1");
  }

  @Test
  void anonymousRequestFallsBackToTheIpBucket() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /api\n    ip: 2/min\n    user: 5/min\n");

    assertThat(asUser(limiter, "/api", PEER, null).isBlocked()).isFalse();
    assertThat(asUser(limiter, "/api", PEER, "").isBlocked()).isFalse(); // empty id: anonymous
    assertThat(asUser(limiter, "/api", PEER, null).isBlocked()).isTrue();
    // the user on the same address is not affected by the anonymous traffic
    assertThat(asUser(limiter, "/api", PEER, "carol").isBlocked()).isFalse();
  }

  @Test
  void userOnlyRuleLetsAnonymousRequestsThrough() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /api\n    user: 1/min\n");

    for (int i = 0; i < 5; i++) {
      assertThat(asUser(limiter, "/api", PEER, null)).isNull();
    }
    assertThat(asUser(limiter, "/api", PEER, "dave").isBlocked()).isFalse();
    assertThat(asUser(limiter, "/api", PEER, "dave").isBlocked()).isTrue();
  }

  @Test
  void longOrOddUserIdsAreKeptApartWithoutBeingStoredVerbatim() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /api\n    user: 1/min\n");
    String longId = "u".repeat(10_000);

    assertThat(asUser(limiter, "/api", PEER, longId + "1").isBlocked()).isFalse();
    assertThat(asUser(limiter, "/api", PEER, longId + "2").isBlocked()).isFalse();
    assertThat(asUser(limiter, "/api", PEER, longId + "1").isBlocked()).isTrue();
  }

  @Test
  void headersShowTheRuleWithTheLeastRemaining() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - path: /api/**
                limit: 100/min
              - path: /api/login
                limit: 3/min
            """);

    assertThat(headers(get(limiter, "/api/login")))
        .containsEntry(LIMIT, "3")
        .containsEntry(REMAINING, "2");
    assertThat(headers(get(limiter, "/api/other")))
        .containsEntry(LIMIT, "100")
        .containsEntry(REMAINING, "98");
  }

  @Test
  void requestBlockedByOneRuleConsumesFromNone() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - path: /api/**
                limit: 100/min
              - path: /api/login
                limit: 3/min
            """);
    assertThat(admittedUntilBlocked(limiter, "/api/login", 10)).isEqualTo(3);

    Verdict blocked = get(limiter, "/api/login");
    assertThat(blocked.isBlocked()).isTrue();
    assertThat(headers(blocked)).containsEntry(LIMIT, "3");

    // 3 admitted, 2 blocked: the wide rule counted only the 3
    assertThat(headers(get(limiter, "/api/other"))).containsEntry(REMAINING, "96");
  }

  @Test
  void blockedByTwoRulesTheLongerWaitIsTold() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            algorithm: fixed-window
            rules:
              - path: /a
                name: per-minute
                limit: 1/min
              - path: /a
                methods: [GET]
                limit: 1/hour
            """);
    clock.set(START + 30_000);
    get(limiter, "/a");

    Verdict blocked = get(limiter, "/a");

    assertThat(blocked.isBlocked()).isTrue();
    long retryAfter = Long.parseLong(headers(blocked).get(RETRY_AFTER));
    assertThat(retryAfter).isGreaterThan(60);
    assertThat(headers(blocked)).containsEntry(LIMIT, "1");
    clock.addAndGet(retryAfter * 1000 - 1000);
    assertThat(get(limiter, "/a").isBlocked()).isTrue();
    clock.addAndGet(1000);
    assertThat(get(limiter, "/a").isBlocked()).isFalse();
  }

  @Test
  void dryRunRuleNeverBlocksAndSendsNoHeaders() throws ConfigException {
    RateLimiter limiter = limiter("rules:\n  - path: /a\n    limit: 1/min\n    dry-run: true\n");

    for (int i = 0; i < 5; i++) {
      Verdict verdict = get(limiter, "/a");
      assertThat(verdict).isNotNull();
      assertThat(verdict.isBlocked()).isFalse();
      assertThat(verdict.headerCount()).isZero();
    }
  }

  @Test
  void globalDryRunNeverBlocks() throws ConfigException {
    RateLimiter limiter = limiter("dry-run: true\nrules:\n  - path: /a\n    limit: 1/min\n");

    assertThat(admittedUntilBlocked(limiter, "/a", 20)).isEqualTo(20);
  }

  @Test
  void dryRunRuleBesideAnEnforcedOneLeavesTheHeadersToTheEnforcedOne() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - path: /a
                name: trial
                limit: 1/min
                dry-run: true
              - path: /a
                name: enforced
                limit: 10/min
            """);

    for (int i = 0; i < 3; i++) {
      Verdict verdict = get(limiter, "/a");
      assertThat(verdict.isBlocked()).isFalse();
      assertThat(headers(verdict))
          .containsEntry(LIMIT, "10")
          .containsEntry(REMAINING, Integer.toString(9 - i));
    }
  }

  @Test
  void disabledHeadersLeaveOnlyRetryAfterOnTheBlockedResponse() throws ConfigException {
    RateLimiter limiter =
        limiter("headers:\n  enabled: false\nrules:\n  - path: /a\n    limit: 1/min\n");

    Verdict admitted = get(limiter, "/a");
    assertThat(admitted.isBlocked()).isFalse();
    assertThat(admitted.headerCount()).isZero();
    Verdict blocked = get(limiter, "/a");
    assertThat(blocked.isBlocked()).isTrue();
    assertThat(headers(blocked)).containsOnlyKeys(RETRY_AFTER);
  }

  @Test
  void renamedHeadersAreUsed() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            headers:
              limit: RateLimit-Limit
              remaining: RateLimit-Remaining
              reset: RateLimit-Reset
              retry-after: X-Retry-In
            rules:
              - path: /a
                limit: 1/min
            """);

    assertThat(headers(get(limiter, "/a")))
        .containsOnlyKeys("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset");
    assertThat(headers(get(limiter, "/a"))).containsKey("X-Retry-In");
  }

  @Test
  void customResponseIsSentWhenBlocked() throws ConfigException {
    RateLimiter limiter =
        limiter(
            """
            algorithm: fixed-window
            response:
              status: 503
              content-type: text/plain; charset=utf-8
              body: "{rule}: {limit} per minute, come back in {retry_after}s"
            rules:
              - path: /upload
                name: uploads
                limit: 2/min
            """);
    clock.set(START + 45_000);
    get(limiter, "/upload");
    get(limiter, "/upload");

    Verdict blocked = get(limiter, "/upload");

    assertThat(blocked.status()).isEqualTo(503);
    assertThat(blocked.contentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(blocked.bodyText()).isEqualTo("uploads: 2 per minute, come back in 15s");
  }

  @Test
  void methodsOutsideTheRuleAreNotCounted() throws ConfigException {
    RateLimiter limiter =
        limiter("rules:\n  - path: /upload\n    methods: [POST]\n    limit: 1/min\n");

    assertThat(decide(limiter, "GET", "/upload", PEER, null, null)).isNull();
    assertThat(decide(limiter, "POST", "/upload", PEER, null, null).isBlocked()).isFalse();
    assertThat(decide(limiter, "POST", "/upload", PEER, null, null).isBlocked()).isTrue();
  }

  @Test
  void userIdAttributeIsAskedForOnlyWhenSomeRuleLimitsUsers() throws ConfigException {
    assertThat(limiter("rules:\n  - path: /a\n    limit: 1/min\n").snapshot().userIdAttribute())
        .isNull();
    assertThat(limiter("rules:\n  - path: /a\n    user: 1/min\n").snapshot().userIdAttribute())
        .isEqualTo("user_id");
    RateLimiter custom =
        limiter("user-id:\n  attribute: uid\nrules:\n  - path: /a\n    user: 1/min\n");
    assertThat(custom.snapshot().userIdAttribute()).isEqualTo("uid");
    assertThat(custom.snapshot().userIdFromPrincipal()).isFalse();
  }

  @Test
  void principalIsAskedForOnlyWhenSomeRuleLimitsUsers() throws ConfigException {
    String principal = "user-id:\n  principal: true\n";

    RateLimiter withUserRule = limiter(principal + "rules:\n  - path: /a\n    user: 1/min\n");
    assertThat(withUserRule.snapshot().userIdFromPrincipal()).isTrue();
    assertThat(withUserRule.snapshot().userIdAttribute()).isNull();
    RateLimiter ipOnly = limiter(principal + "rules:\n  - path: /a\n    limit: 1/min\n");
    assertThat(ipOnly.snapshot().userIdFromPrincipal()).isFalse();
  }

  @Test
  void failingBackendLetsTheRequestThrough() throws ConfigException {
    Backend broken =
        charges -> {
          throw new IllegalStateException("backend down");
        };
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse("rules:\n  - path: /a\n    limit: 1/min\n", "r.yaml", n -> null),
            broken,
            new Stats());

    assertThat(get(limiter, "/a")).isNull();
    assertThat(get(limiter, "/a")).isNull();
  }

  @Test
  void updatedRulesApplyAndCountersOfUnchangedRulesSurvive() throws ConfigException {
    MemoryBackend backend = new MemoryBackend(clock::get, 1_000);
    String before = "rules:\n  - path: /a\n    limit: 2/min\n";
    RateLimiter limiter =
        new RateLimiter(ConfigLoader.parse(before, "r.yaml", n -> null), backend, new Stats());
    get(limiter, "/a");

    limiter.update(
        ConfigLoader.parse(before + "  - path: /b\n    limit: 1/min\n", "r.yaml", n -> null));

    assertThat(headers(get(limiter, "/a"))).containsEntry(REMAINING, "0");
    assertThat(get(limiter, "/b").isBlocked()).isFalse();
  }

  @Test
  void aSkippedUserOnlyRuleLeavesTheOtherRulesChargedAndCountedRightly() throws Exception {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - name: members
                path: /a/**
                user: 1/min
              - name: everyone
                path: /a/**
                limit: 2/min
            """);
    Verdict first = get(limiter, "/a/x");
    assertThat(headers(first)).containsEntry(LIMIT, "2").containsEntry(REMAINING, "1");
    assertThat(get(limiter, "/a/x").isBlocked()).isFalse();
    assertThat(get(limiter, "/a/x").isBlocked()).isTrue();
    assertThat(limiter.stats().forRule("everyone").allowedCount()).isEqualTo(2);
    assertThat(limiter.stats().forRule("everyone").blockedCount()).isEqualTo(1);
    assertThat(limiter.stats().forRule("members").allowedCount()).isZero();
  }

  @Test
  void aLowerCaseMethodIsLimitedLikeItsUpperCase() throws Exception {
    RateLimiter limiter = limiter("rules: [{path: /login, methods: [POST], limit: 1/min}]");
    assertThat(decide(limiter, "post", "/login", PEER, null, null).isBlocked()).isFalse();
    assertThat(decide(limiter, "Post", "/login", PEER, null, null).isBlocked()).isTrue();
    assertThat(RateLimiter.upperCase("GET")).isSameAs(RateLimiter.upperCase("GET"));
  }

  // ---- the decision, before it becomes a verdict

  private static Decision decideAsUser(RateLimiter limiter, String path, String user) {
    return limiter.decide(
        limiter.snapshot(), Stage.SERVLET_ALONE, "GET", path, PEER, null, user, null, d -> d);
  }

  /** Each charge of a decision as "rule kind remaining". */
  private static List<String> charges(Decision decision) {
    List<String> charges = new ArrayList<>();
    for (int i = 0; i < decision.size(); i++) {
      Charge charge = decision.charge(i);
      charges.add(
          charge.rule().name() + " " + charge.kind() + " " + decision.outcome(i).remaining());
    }
    return charges;
  }

  @Test
  void aDecisionHoldsEveryChargeWithItsRuleItsBucketKindAndItsOutcome() throws Exception {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - name: members
                path: /a/**
                ip: 10/min
                user: 3/min
              - name: everyone
                path: /a/**
                limit: 2/min
            """);

    Decision decision = decideAsUser(limiter, "/a/x", "alice");

    assertThat(charges(decision)).containsExactlyInAnyOrder("members USER 2", "everyone IP 1");
    assertThat(decision.blocked()).isFalse();
    assertThat(decision.answering().rule().name()).as("the least remaining").isEqualTo("everyone");
    assertThat(decision.answeringOutcome().remaining()).isEqualTo(1);
  }

  @Test
  void aBlockedDecisionStillHoldsTheChargesThatAdmitted() throws Exception {
    RateLimiter limiter =
        limiter(
            """
            rules:
              - {name: wide, path: /a, limit: 5/min}
              - {name: narrow, path: /a, limit: 1/min}
            """);
    decideAsUser(limiter, "/a", null);

    Decision decision = decideAsUser(limiter, "/a", null);

    assertThat(decision.blocked()).isTrue();
    assertThat(decision.answering().rule().name()).isEqualTo("narrow");
    // what a later give-back step needs: the wide rule admitted, though nothing was taken
    assertThat(charges(decision)).containsExactlyInAnyOrder("wide IP 3", "narrow IP 0");
  }

  @Test
  void aOneRuleDecisionHoldsItsOneChargeAndADryRunOneAnswersForNothing() throws Exception {
    RateLimiter limiter =
        limiter("rules:\n  - {name: watched, path: /a, limit: 1/min, dry-run: true}\n");

    Decision decision = decideAsUser(limiter, "/a", "alice");

    assertThat(charges(decision)).containsExactly("watched IP 0");
    assertThat(decision.blocked()).isFalse();
    assertThat(decision.answering()).as("a dry-run rule gives no headers").isNull();
    assertThat(decideAsUser(limiter, "/elsewhere", "alice")).isNull();
  }

  // ---- requests answered inside a filter

  @Test
  void aServletRuleOverARequestAnsweredInAFilterIsReportedOncePerRule() throws Exception {
    CapturedLog out = new CapturedLog();
    out.start();
    try {
      RateLimiter limiter =
          limiter(
              """
              rules:
                - name: login
                  path: /app/login
                  methods: [POST]
                  limit: 5/min
                - name: early
                  path: /app/login
                  limit: 50/min
                  before-filters: true
                - name: api
                  path: /app/api/**
                  limit: 5/min
              """);
      RateLimitBridge bridge = new LimiterBridge(limiter);
      for (int i = 0; i < 3; i++) {
        bridge.answeredInFilter("post", "/app", "/login", null, "com.example.LoginFilter");
      }
      bridge.answeredInFilter("GET", "/app", "/login", null, "com.example.LoginFilter");
      bridge.answeredInFilter("GET", "/app", "/static", "/x.css", "com.example.Static");
      String forged = "/x\n[fastlimit] forged";
      bridge.answeredInFilter("GET", "/app", "/api", forged, "com.example.Jersey");

      String log = out.text();
      assertThat(log.lines().filter(line -> line.contains("rule login covers")))
          .containsExactly(
              "[fastlimit] WARN rule login covers POST /app/login, but the application answered"
                  + " that request inside the filter com.example.LoginFilter before any servlet,"
                  + " where the rule is decided: it never applies there. Mark the rule"
                  + " before-filters: true to decide it at the first filter (per client IP)."
                  + " Said once per rule.");
      // the before-filters rule applies there already; the path without a rule says nothing
      assertThat(log).doesNotContain("rule early").doesNotContain("/static");
      // every such request is counted, for metrics
      assertThat(limiter.stats().forRule("login").unreachedCount()).isEqualTo(3);
      assertThat(limiter.stats().forRule("early").unreachedCount()).isZero();
      // request text in the log is escaped: no forged line
      assertThat(log).contains("rule api covers GET /app/api/x\\u000a[fastlimit] forged");
      assertThat(log.lines()).hasSize(2);
    } finally {
      out.stop();
    }
  }
}
