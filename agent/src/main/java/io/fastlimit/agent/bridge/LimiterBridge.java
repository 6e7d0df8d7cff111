package io.fastlimit.agent.bridge;

import io.fastlimit.agent.limit.Decision;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.limit.VerdictBuilder;
import io.fastlimit.agent.client.ForwardingRewriters;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * What the advice calls, in the advice's plain values: hands each request to the {@link
 * RateLimiter} and its decision to the {@link VerdictBuilder}. It is the line that no failure
 * crosses: anything thrown inside is logged once and the request passes.
 */
public final class LimiterBridge implements RateLimitBridge {

  private static final Function<Decision, Verdict> VERDICT = VerdictBuilder::verdict;

  private final RateLimiter limiter;
  /** Set once the first request blocked on a committed response has been reported. */
  private final AtomicBoolean blockedOnCommittedReported = new AtomicBoolean();

  public LimiterBridge(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Verdict decide(
      int stage,
      String method,
      String path,
      String peerAddress,
      String forwardedFor,
      String userId) {
    try {
      return limiter.decide(stage, method, path, peerAddress, forwardedFor, userId, VERDICT);
    } catch (Throwable failure) {
      AgentLog.once("deciding a request failed; requests pass unlimited while this lasts", failure);
      return null;
    }
  }

  @Override
  public void answeredInFilter(
      String method, String contextPath, String servletPath, String pathInfo, String filter) {
    try {
      limiter.answeredInFilter(method, requestPath(contextPath, servletPath, pathInfo), filter);
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

  @Override
  public void failed(Throwable failure) {
    AgentLog.once("reading the request or writing the response failed; requests pass", failure);
  }

  @Override
  public void blockedOnCommittedResponse(int stage, String method, String path) {
    // decide() has counted it as blocked already; here it is only said, once
    if (blockedOnCommittedReported.get()
        || !blockedOnCommittedReported.compareAndSet(false, true)) {
      return;
    }
    try {
      StringBuilder rules = new StringBuilder();
      for (RateLimitRule rule : limiter.rulesAt(stage, method, path)) {
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

  @Override
  public void rewriterSeen(String component) {
    ForwardingRewriters.seen(component);
  }

  @Override
  public boolean hasRulesBeforeFilters() {
    return limiter.hasRulesBeforeFilters();
  }

  @Override
  public String userIdAttribute() {
    return limiter.userIdAttribute();
  }

  @Override
  public boolean userIdFromPrincipal() {
    return limiter.userIdFromPrincipal();
  }

  @Override
  public String forwardedForHeader() {
    return limiter.forwardedForHeader();
  }
}
