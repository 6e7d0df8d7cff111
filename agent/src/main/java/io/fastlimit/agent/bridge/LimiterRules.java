package io.fastlimit.agent.bridge;

import io.fastlimit.agent.backend.Backends;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.limit.RulesSnapshot;
import io.fastlimit.agent.limit.VerdictBuilder;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.request.UndertowFormBody;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One {@link RulesSnapshot} as the advice sees it: what to read from the request, and the decision
 * under that same snapshot. Anything thrown inside is logged once and the request passes.
 */
final class LimiterRules extends ActiveRules {

  private final RateLimiter limiter;
  final RulesSnapshot snapshot;
  private final boolean anyAtContainer;
  private final boolean anyFormAtContainer;
  private final boolean anyFormAccount;
  private final LimiterBridge bridge;
  private final boolean decisionMayWait;

  LimiterRules(RateLimiter limiter, RulesSnapshot snapshot, LimiterBridge bridge) {
    super(
        snapshot.anyBeforeFilters(),
        snapshot.userIdAttribute(),
        snapshot.userIdFromPrincipal(),
        snapshot.forwardedForHeader());
    this.limiter = limiter;
    this.snapshot = snapshot;
    this.anyAtContainer = snapshot.anyAtContainer();
    this.anyFormAtContainer = anyFormAtContainer(snapshot);
    this.anyFormAccount = snapshot.anyFormAccount();
    this.bridge = bridge;
    this.decisionMayWait = !Backends.MEMORY.equals(limiter.config().backend());
  }

  @Override
  public boolean decisionMayWait() {
    return decisionMayWait;
  }

  @Override
  public boolean anyAtContainer() {
    return anyAtContainer;
  }

  @Override
  public boolean anyFormAtContainer() {
    return anyFormAtContainer;
  }

  @Override
  public boolean readsFormBody(
      Stage stage, String method, String path, String contentType, long contentLength) {
    try {
      return UndertowFormBody.readable(contentType, contentLength)
          && anyReadsForm(Arrays.asList(RateLimiter.rulesAt(snapshot, stage, method, path)));
    } catch (Throwable failure) {
      AgentLog.once("matching the rules that read a form failed", failure);
      return false;
    }
  }

  private static boolean anyFormAtContainer(RulesSnapshot snapshot) {
    List<RateLimitRule> atContainer = new ArrayList<>();
    for (RateLimitRule rule : snapshot.config().rules().rules()) {
      if (rule.stage() == Stage.CONTAINER) {
        atContainer.add(rule);
      }
    }
    return anyReadsForm(atContainer);
  }

  /** Whether any of the rules has an account bucket keyed by a form field. */
  private static boolean anyReadsForm(List<RateLimitRule> rules) {
    for (RateLimitRule rule : rules) {
      LoginProtection login = rule.login();
      if (login.accountRate() != null && login.accountSource() == LoginProtection.Source.FORM) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean anyFormAccount() {
    return anyFormAccount;
  }

  @Override
  public Verdict decide(
      Stage stage,
      String method,
      String contextPath,
      String servletPath,
      String pathInfo,
      String peerAddress,
      String forwardedFor,
      String userId,
      Object request) {
    try {
      return limiter.decide(
          snapshot,
          stage,
          method,
          requestPath(contextPath, servletPath, pathInfo),
          peerAddress,
          forwardedFor,
          userId,
          request,
          VerdictBuilder.VERDICT);
    } catch (Throwable failure) {
      AgentLog.once("deciding a request failed; requests pass unlimited while this lasts", failure);
      return null;
    }
  }

  @Override
  public void blockedOnCommittedResponse(
      Stage stage, String method, String contextPath, String servletPath, String pathInfo) {
    // decide() has counted it as blocked already; here it is only said, once
    if (!bridge.firstBlockedOnCommittedResponse()) {
      return;
    }
    try {
      String path = requestPath(contextPath, servletPath, pathInfo);
      StringBuilder rules = new StringBuilder();
      for (RateLimitRule rule : RateLimiter.rulesAt(snapshot, stage, method, path)) {
        rules.append(rules.length() == 0 ? "" : ", ").append(KeyText.forLog(rule.name()));
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

  /**
   * The path rules match: context path, servlet path and path info joined, the one place they are.
   * Allocates nothing for the common request (root context, no path info).
   */
  static String requestPath(String contextPath, String servletPath, String pathInfo) {
    String path = servletPath == null ? "" : servletPath;
    if (contextPath != null && !contextPath.isEmpty()) {
      path = contextPath + path;
    }
    return pathInfo == null ? path : path + pathInfo;
  }
}
