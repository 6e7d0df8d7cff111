package io.fastlimit.agent.bridge;

import io.fastlimit.agent.limit.Decision;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.limit.VerdictBuilder;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.util.function.Function;

/**
 * What the advice calls, in the advice's plain values: hands each request to the {@link
 * RateLimiter} and its decision to the {@link VerdictBuilder}. It is the line that no failure
 * crosses: anything thrown inside is logged once and the request passes.
 */
public final class LimiterBridge implements RateLimitBridge {

  private static final Function<Decision, Verdict> VERDICT = VerdictBuilder::verdict;

  private final RateLimiter limiter;

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
