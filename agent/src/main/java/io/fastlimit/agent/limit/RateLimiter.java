package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.http.BlockedResponse;
import io.fastlimit.agent.http.ClientIpResolver;
import io.fastlimit.agent.http.ForwardingRewriters;
import io.fastlimit.agent.http.KeyText;
import io.fastlimit.agent.http.RateLimitHeaders;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.observe.RateLimitedLog;
import io.fastlimit.agent.observe.RuleStats;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;

/**
 * Decides requests: matches the rules, picks one bucket per rule (the user's when the rule has a
 * user rate and the request a user id, else the client IP's), charges them all in one backend
 * step and turns the outcomes into a {@link Verdict}. The configuration is a snapshot swapped
 * whole on reload.
 *
 * <p>Bucket keys are {@code prefix:rule:ip:{address}} and {@code prefix:rule:user:{id}}: the
 * client id is a Redis Cluster hash tag, so every bucket of one client lives in one slot and the
 * charges of a request stay one atomic step. Rule names and prefixes cannot contain braces.
 */
public final class RateLimiter implements RateLimitBridge {

  /** An admitted request that was counted but gets no headers (all its rules are dry-run). */
  private static final Verdict COUNTED_SILENTLY = Verdict.allowed(new String[0], new String[0]);

  private final Backend backend;
  private final Stats stats;
  private final RateLimitedLog dryRunLog =
      new RateLimitedLog(20, System::currentTimeMillis);
  private volatile Snapshot snapshot;
  /** Names of the rules already reported as never reached (answered inside a filter). */
  private final Set<String> unreachedRules = ConcurrentHashMap.newKeySet();

  private static final int MAX_UNREACHED_REPORTS = 1000;
  private volatile boolean serving;

  /** The configuration plus what is derived from it once rather than per request. */
  private static final class Snapshot {
    final AgentConfig config;
    final String userIdAttribute;
    final boolean userIdFromPrincipal;
    /** Statistics of each rule, by the rule's index. */
    final RuleStats[] ruleStats;
    /** The rules by stage (see RateLimitBridge.STAGE_*). */
    final RuleSet[] byStage;
    /** By rule index, built once: "prefix:rule:ip:{" and "prefix:rule:user:{". */
    final String[] ipKeyStart;
    final String[] userKeyStart;
    /** By rule index: the limits as header text. */
    final String[] ipLimitText;
    final String[] userLimitText;

    Snapshot(AgentConfig config, Stats stats) {
      this.config = config;
      boolean anyUserRule = false;
      int size = config.rules().rules().size();
      ruleStats = new RuleStats[size];
      ipKeyStart = new String[size];
      userKeyStart = new String[size];
      ipLimitText = new String[size];
      userLimitText = new String[size];
      List<RateLimitRule> beforeFilters = new ArrayList<>();
      List<RateLimitRule> atServlet = new ArrayList<>();
      for (RateLimitRule rule : config.rules().rules()) {
        anyUserRule |= rule.userRate() != null;
        ruleStats[rule.index()] = stats.forRule(rule.name());
        ipKeyStart[rule.index()] = config.keyPrefix() + ':' + rule.name() + ":ip:{";
        userKeyStart[rule.index()] = config.keyPrefix() + ':' + rule.name() + ":user:{";
        ipLimitText[rule.index()] = rule.ipRate() == null ? null : Long.toString(rule.ipRate().limit());
        userLimitText[rule.index()] =
            rule.userRate() == null ? null : Long.toString(rule.userRate().limit());
        (rule.beforeFilters() ? beforeFilters : atServlet).add(rule);
      }
      byStage = new RuleSet[3];
      byStage[STAGE_BEFORE_FILTERS] = new RuleSet(beforeFilters);
      byStage[STAGE_SERVLET] = new RuleSet(atServlet);
      byStage[STAGE_SERVLET_ALL_RULES] = config.rules();
      // read nothing from the request that no rule needs
      this.userIdAttribute = anyUserRule ? config.userIdAttribute() : null;
      this.userIdFromPrincipal = anyUserRule && config.userIdFromPrincipal();
    }
  }

  public RateLimiter(AgentConfig config, Backend backend) {
    this(config, backend, new Stats());
  }

  public RateLimiter(AgentConfig config, Backend backend, Stats stats) {
    this.backend = backend;
    this.stats = stats;
    this.snapshot = new Snapshot(config, stats);
  }

  /**
   * Swaps in a new configuration; requests in flight finish with the one they started with.
   * Counters live in the backend under the rule's name, so rules whose name did not change keep
   * their counts.
   */
  public void update(AgentConfig config) {
    this.snapshot = new Snapshot(config, stats);
  }

  public Stats stats() {
    return stats;
  }

  /** Whether the application has started serving requests (anything reached the advice). */
  public boolean serving() {
    return serving;
  }

  public AgentConfig config() {
    return snapshot.config;
  }

  @Override
  public String userIdAttribute() {
    return snapshot.userIdAttribute;
  }

  @Override
  public boolean userIdFromPrincipal() {
    return snapshot.userIdFromPrincipal;
  }

  @Override
  public boolean hasRulesBeforeFilters() {
    return !snapshot.byStage[STAGE_BEFORE_FILTERS].rules().isEmpty();
  }

  @Override
  public String forwardedForHeader() {
    return snapshot.config.clientIp().forwardedForHeader();
  }

  @Override
  public void answeredInFilter(
      String method, String contextPath, String servletPath, String pathInfo, String filter) {
    try {
      Snapshot current = snapshot;
      RuleSet atServlet = current.byStage[STAGE_SERVLET];
      if (method == null || atServlet.rules().isEmpty()) {
        return;
      }
      String path = requestPath(contextPath, servletPath, pathInfo);
      String upperMethod = upperCase(method);
      for (RateLimitRule rule : atServlet.match(upperMethod, path)) {
        current.ruleStats[rule.index()].unreached();
        if (unreachedRules.size() < MAX_UNREACHED_REPORTS && unreachedRules.add(rule.name())) {
          AgentLog.warn(
              "rule "
                  + KeyText.forLog(rule.name())
                  + " covers "
                  + KeyText.forLog(upperMethod + " " + path)
                  + ", but the application answered that request inside the filter "
                  + KeyText.forLog(filter)
                  + " before any servlet, where the rule is decided: it never applies there."
                  + " Mark the rule before-filters: true to decide it at the first filter (per"
                  + " client IP). Said once per rule.");
        }
      }
    } catch (Throwable failure) {
      AgentLog.once("checking a request answered inside a filter failed", failure);
    }
  }

  /** The path the advice decides on: context path, servlet path and path info, joined. */
  static String requestPath(String contextPath, String servletPath, String pathInfo) {
    String path = servletPath == null ? "" : servletPath;
    if (contextPath != null && !contextPath.isEmpty()) {
      path = contextPath + path;
    }
    return pathInfo == null ? path : path + pathInfo;
  }

  /** Set once the first request blocked on a committed response has been reported. */
  private final java.util.concurrent.atomic.AtomicBoolean blockedOnCommittedReported =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public void blockedOnCommittedResponse(int stage, String method, String path) {
    // decide() has counted it as blocked already; here it is only said, once
    if (blockedOnCommittedReported.get()
        || !blockedOnCommittedReported.compareAndSet(false, true)) {
      return;
    }
    try {
      StringBuilder rules = new StringBuilder();
      if (method != null && path != null && stage >= 0 && stage <= STAGE_SERVLET_ALL_RULES) {
        for (RateLimitRule rule : snapshot.byStage[stage].match(upperCase(method), path)) {
          rules.append(rules.length() == 0 ? "" : ", ").append(KeyText.forLog(rule.name()));
        }
      }
      AgentLog.warn(
          "a filter committed the response before the agent decided "
              + KeyText.forLog(method + " " + path)
              + (rules.length() == 0 ? "" : " (rule " + rules + ")")
              + ": blocked requests there are skipped without a 429 body or rate-limit headers"
              + " (the client sees what the filter already sent) and counted as blocked. Mark"
              + " the rule before-filters: true to decide it before that filter. Said once.");
    } catch (Throwable failure) {
      AgentLog.once("reporting a request blocked on a committed response failed", failure);
    }
  }

  @Override
  public void failed(Throwable failure) {
    AgentLog.once("reading the request or writing the response failed; requests pass", failure);
  }

  @Override
  public void rewriterSeen(String component) {
    ForwardingRewriters.seen(component);
  }

  /** Decides with every rule, as when no filter ran (the common case in tests and benchmarks). */
  public Verdict decide(
      String method, String path, String peerAddress, String forwardedFor, String userId) {
    return decide(STAGE_SERVLET_ALL_RULES, method, path, peerAddress, forwardedFor, userId);
  }

  @Override
  public Verdict decide(
      int stage,
      String method,
      String path,
      String peerAddress,
      String forwardedFor,
      String userId) {
    if (!serving) {
      serving = true;
    }
    try {
      return decideOrThrow(stage, method, path, peerAddress, forwardedFor, userId);
    } catch (Throwable failure) {
      AgentLog.once("deciding a request failed; requests pass unlimited while this lasts", failure);
      return null;
    }
  }

  private Verdict decideOrThrow(
      int stage,
      String method,
      String path,
      String peerAddress,
      String forwardedFor,
      String userId) {
    Snapshot current = snapshot;
    AgentConfig config = current.config;
    if (method == null || path == null || stage < 0 || stage > STAGE_SERVLET_ALL_RULES) {
      return null;
    }
    RateLimitRule[] rules = current.byStage[stage].match(upperCase(method), path);
    if (rules.length == 0) {
      return null;
    }
    String client = config.clientIp().resolve(peerAddress, forwardedFor);
    if (client == null) {
      return null; // exempt
    }
    String user = userId == null || userId.isEmpty() ? null : KeyText.bounded(userId);
    if (rules.length == 1) {
      return decideOne(current, rules[0], client, user);
    }
    Charge[] charges = new Charge[rules.length];
    // charged[i] is the rule of charges[i]: the matched rules themselves unless one is skipped
    RateLimitRule[] charged = rules;
    int count = 0;
    for (RateLimitRule rule : rules) {
      Charge charge = chargeFor(current, rule, client, user);
      if (charge == null) {
        if (charged == rules) {
          charged = new RateLimitRule[rules.length];
          System.arraycopy(rules, 0, charged, 0, count);
        }
        continue;
      }
      charges[count] = charge;
      if (charged != rules) {
        charged[count] = rule;
      }
      count++;
    }
    if (count == 0) {
      return null;
    }
    if (count < charges.length) {
      Charge[] trimmed = new Charge[count];
      System.arraycopy(charges, 0, trimmed, 0, count);
      charges = trimmed;
    }
    Outcome[] outcomes;
    try {
      outcomes = backend.acquire(charges);
    } catch (RuntimeException failure) {
      for (int i = 0; i < count; i++) {
        current.ruleStats[charged[i].index()].backendError();
      }
      throw failure;
    }
    int blocking = -1;
    int tightest = -1;
    for (int i = 0; i < count; i++) {
      Outcome outcome = outcomes[i];
      if (charges[i].observeOnly()) {
        continue;
      }
      if (!outcome.allowed()) {
        // admitted only when every rule admits: the longest wait is the true one
        if (blocking < 0 || outcome.retryAfterMillis() > outcomes[blocking].retryAfterMillis()) {
          blocking = i;
        }
      } else if (tightest < 0 || outcome.remaining() < outcomes[tightest].remaining()) {
        tightest = i;
      }
    }
    for (int i = 0; i < count; i++) {
      if (blocking >= 0) {
        if (!outcomes[i].allowed() && !charges[i].observeOnly()) {
          current.ruleStats[charged[i].index()].blocked();
        }
      } else {
        countPassed(current, charged[i], charges[i], outcomes[i], user);
      }
    }
    if (blocking >= 0) {
      return blocked(current, charged[blocking], charges[blocking], outcomes[blocking]);
    }
    if (tightest < 0) {
      return COUNTED_SILENTLY;
    }
    return admitted(current, charged[tightest], charges[tightest], outcomes[tightest]);
  }

  /** The common case, one rule: the same steps as above without arrays. */
  private Verdict decideOne(Snapshot current, RateLimitRule rule, String client, String user) {
    Charge charge = chargeFor(current, rule, client, user);
    if (charge == null) {
      return null;
    }
    Outcome outcome;
    try {
      outcome = backend.acquire(charge);
    } catch (RuntimeException failure) {
      current.ruleStats[rule.index()].backendError();
      throw failure;
    }
    if (charge.observeOnly()) {
      countPassed(current, rule, charge, outcome, user);
      return COUNTED_SILENTLY;
    }
    if (!outcome.allowed()) {
      current.ruleStats[rule.index()].blocked();
      return blocked(current, rule, charge, outcome);
    }
    current.ruleStats[rule.index()].allowed();
    return admitted(current, rule, charge, outcome);
  }

  /**
   * The charge of one rule: on the user's bucket when the rule has a user rate and the request a
   * user id, else on the client IP's; null for a user-only rule and an anonymous request.
   */
  private static Charge chargeFor(
      Snapshot current, RateLimitRule rule, String client, String user) {
    if (rule.userRate() != null && user != null) {
      return charge(rule, rule.userRate(), current.userKeyStart[rule.index()], user);
    }
    if (rule.ipRate() != null) {
      return charge(rule, rule.ipRate(), current.ipKeyStart[rule.index()], client);
    }
    return null; // a user-only rule does not apply to anonymous requests
  }

  private static Charge charge(RateLimitRule rule, Rate rate, String keyStart, String id) {
    return new Charge(
        keyStart,
        id,
        rate.limit(),
        rate.windowMillis(),
        rule.cost(),
        rule.algorithm(),
        rule.dryRun());
  }

  /** Statistics of a rule on a request that passed. */
  private void countPassed(
      Snapshot current, RateLimitRule rule, Charge charge, Outcome outcome, String user) {
    RuleStats ruleStats = current.ruleStats[rule.index()];
    if (charge.observeOnly() && !outcome.allowed()) {
      // a would-block counts only when the request passed: what enforcing would change
      ruleStats.wouldBlock();
      logWouldBlock(rule, charge, outcome, user != null && rule.userRate() != null);
    } else {
      ruleStats.allowed();
    }
  }

  /** An admitted request's verdict, with the headers of its tightest enforced rule. */
  private static Verdict admitted(
      Snapshot current, RateLimitRule rule, Charge charge, Outcome outcome) {
    RateLimitHeaders headers = current.config.headers();
    if (!headers.enabled()) {
      return COUNTED_SILENTLY;
    }
    return Verdict.allowed(
        headers.allowedNames(),
        headers.values(
            rule.name(),
            limitText(current, rule, charge),
            charge.windowMillis(),
            outcome.remaining(),
            outcome.resetAtMillis(),
            outcome.decidedAtMillis(),
            -1));
  }

  private void logWouldBlock(RateLimitRule rule, Charge charge, Outcome outcome, boolean perUser) {
    dryRunLog.info(
        "dry-run: would block rule="
            + KeyText.forLog(rule.name())
            + " bucket="
            + (perUser ? "user" : "ip")
            + " key="
            + KeyText.forLog(charge.key())
            + " limit="
            + charge.limit()
            + " remaining="
            + outcome.remaining()
            + " retry_after_ms="
            + outcome.retryAfterMillis());
  }

  /**
   * The method in upper case. Containers pass "post" through and frameworks route it like POST,
   * so a rule for POST must see it as POST; allocates only for a method not already upper case.
   */
  static String upperCase(String method) {
    for (int i = 0; i < method.length(); i++) {
      char ch = method.charAt(i);
      if (ch >= 'a' && ch <= 'z') {
        return method.toUpperCase(java.util.Locale.ROOT);
      }
    }
    return method;
  }

  /** The limit of the charged rate as header text, built once per rules version. */
  private static String limitText(Snapshot current, RateLimitRule rule, Charge charge) {
    String ip = current.ipLimitText[rule.index()];
    return rule.ipRate() != null && rule.ipRate().limit() == charge.limit() && ip != null
        ? ip
        : current.userLimitText[rule.index()];
  }

  private static Verdict blocked(
      Snapshot current, RateLimitRule rule, Charge charge, Outcome outcome) {
    AgentConfig config = current.config;
    String limitText = limitText(current, rule, charge);
    long retryAfter = Math.max(1, RateLimitHeaders.secondsUp(outcome.retryAfterMillis()));
    RateLimitHeaders headers = config.headers();
    BlockedResponse response = config.response();
    String[] names;
    String[] values;
    if (headers.enabled()) {
      names = headers.blockedNames();
      values =
          headers.values(
              rule.name(),
              limitText,
              charge.windowMillis(),
              outcome.remaining(),
              outcome.resetAtMillis(),
              outcome.decidedAtMillis(),
              retryAfter);
    } else {
      // Retry-After belongs to the 429 itself, not to the optional rate-limit headers
      names = headers.retryAfterOnly();
      values = new String[] {Long.toString(retryAfter)};
    }
    return Verdict.blocked(
        names,
        values,
        response.status(),
        response.contentType(),
        response.body(retryAfter, charge.limit(), rule.name()));
  }
}
