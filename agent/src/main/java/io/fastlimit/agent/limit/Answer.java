package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;

/**
 * What an entry point makes of a {@link Decision}: a verdict for the servlet advice; another entry
 * point brings its own. The common request makes one charge; an answer that needs no {@link
 * Decision} object for it overrides {@link #one} and so allocates none per request.
 */
@FunctionalInterface
public interface Answer<R> {

  R answer(Decision decision);

  /**
   * The answer for an admitted request whose charges on {@code count: failures} rules are given
   * back if it succeeds: {@code pending} goes back to {@link RateLimiter#completed} when the
   * request ends. By default the plain answer: an entry point that cannot report the end keeps
   * every charge (every attempt counts, the safe side).
   */
  default R admittedPending(Decision decision, Object pending) {
    return answer(decision);
  }

  /** The answer for a request that made one charge; by default through its {@link Decision}. */
  default R one(AgentConfig config, Charge charge, Outcome outcome) {
    return answer(new Decision(config, charge, outcome));
  }
}
