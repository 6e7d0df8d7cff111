package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;

/**
 * What the limiter decided for one request: every charge it made with the backend's outcome of
 * each, whether the request is blocked, and which charge answers for it (its headers, its wait). It
 * keeps the configuration it was decided under, so that the answer is written by the same rules
 * version. The common one-charge request is held without arrays.
 */
public final class Decision {

  private final AgentConfig config;

  /** Null when the request made one charge: then it is {@link #only}. */
  private final Charge[] charges;

  private final Outcome[] outcomes;
  private final Charge only;
  private final Outcome onlyOutcome;
  private final boolean blocked;

  /** The charge that answers for the request; -1 when all charges are observe-only. */
  private final int answering;

  /** A request that made one charge. */
  Decision(AgentConfig config, Charge charge, Outcome outcome) {
    this.config = config;
    this.charges = null;
    this.outcomes = null;
    this.only = charge;
    this.onlyOutcome = outcome;
    this.blocked = !charge.observeOnly() && !outcome.allowed();
    this.answering = charge.observeOnly() ? -1 : 0;
  }

  /** A request that made several charges, with the outcomes in the same order. */
  Decision(AgentConfig config, Charge[] charges, Outcome[] outcomes) {
    this.config = config;
    this.charges = charges;
    this.outcomes = outcomes;
    this.only = null;
    this.onlyOutcome = null;
    int blocking = -1;
    int tightest = -1;
    for (int i = 0; i < charges.length; i++) {
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
        tightest = i; // an admitted request shows the rule closest to blocking it
      }
    }
    this.blocked = blocking >= 0;
    this.answering = blocked ? blocking : tightest;
  }

  /** The configuration the request was decided under. */
  public AgentConfig config() {
    return config;
  }

  public boolean blocked() {
    return blocked;
  }

  /** Number of charges made, at least one. */
  public int size() {
    return charges == null ? 1 : charges.length;
  }

  /** The i-th charge; {@code i} is below {@link #size()}. */
  public Charge charge(int i) {
    return charges == null ? only : charges[i];
  }

  /** The outcome of the i-th charge. */
  public Outcome outcome(int i) {
    return charges == null ? onlyOutcome : outcomes[i];
  }

  /**
   * The charge whose outcome the response tells: the blocking one with the longest wait, else the
   * enforced one with the least remaining; null when every charge is observe-only (dry-run).
   */
  public Charge answering() {
    return answering < 0 ? null : charge(answering);
  }

  /** The outcome of {@link #answering()}; null with it. */
  public Outcome answeringOutcome() {
    return answering < 0 ? null : outcome(answering);
  }
}
