package io.fastlimit.agent.bridge;

import io.fastlimit.agent.client.ForwardingRewriters;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.limit.RulesSnapshot;
import io.fastlimit.agent.limit.VerdictBuilder;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the advice calls, in the advice's plain values: hands out the {@link RateLimiter}'s rules in
 * force as {@link LimiterRules}, through which a request is read and decided (the decision turned
 * into a verdict by the {@link VerdictBuilder}). It is the line that no failure crosses: anything
 * thrown inside is logged once and the request passes.
 */
public final class LimiterBridge implements RateLimitBridge {

  private final RateLimiter limiter;

  /** The view of the limiter's latest snapshot; made anew when a reload swapped it. */
  private volatile LimiterRules rules;

  /** Set once the first request blocked on a committed response has been reported. */
  private final AtomicBoolean blockedOnCommittedReported = new AtomicBoolean();

  public LimiterBridge(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public ActiveRules rules() {
    RulesSnapshot now = limiter.snapshot();
    LimiterRules view = rules;
    if (view == null || view.snapshot != now) {
      view = new LimiterRules(limiter, now, this); // two threads may both make one: harmless
      rules = view;
    }
    return view;
  }

  @Override
  public void answeredInFilter(
      String method, String contextPath, String servletPath, String pathInfo, String filter) {
    try {
      limiter.answeredInFilter(
          method, LimiterRules.requestPath(contextPath, servletPath, pathInfo), filter);
    } catch (Throwable failure) {
      AgentLog.once("checking a request answered inside a filter failed", failure);
    }
  }

  @Override
  public void completed(Verdict verdict, int status, String location, String forwardPath) {
    try {
      if (verdict != null) {
        limiter.completed(verdict.pending(), status, location, forwardPath);
      }
    } catch (Throwable failure) {
      AgentLog.once(
          "settling a request that counts only failures failed; it stays counted", failure);
    }
  }

  @Override
  public void failed(Throwable failure) {
    AgentLog.once("reading the request or writing the response failed; requests pass", failure);
  }

  /** True for the first request blocked on a committed response only: it is said once. */
  boolean firstBlockedOnCommittedResponse() {
    return !blockedOnCommittedReported.get()
        && blockedOnCommittedReported.compareAndSet(false, true);
  }

  @Override
  public void rewriterSeen(String component) {
    ForwardingRewriters.seen(component);
  }
}
