package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.response.BlockedResponse;
import io.fastlimit.agent.response.RateLimitHeaders;
import io.fastlimit.bootstrap.Verdict;

/**
 * The response side: turns a {@link Decision} into the {@link Verdict} the advice writes, the
 * rate-limit headers of the charge that answers for the request and, when it is blocked, the 429
 * with its Retry-After and body, all as configured in the rules version it was decided under.
 */
public final class VerdictBuilder {

  /** An admitted request that was counted but gets no headers (all its rules are dry-run). */
  static final Verdict COUNTED_SILENTLY = Verdict.allowed(new String[0], new String[0]);

  /** The limiter's answer as a verdict; a one-charge request needs no {@link Decision} object. */
  public static final Answer<Verdict> VERDICT =
      new Answer<Verdict>() {
        @Override
        public Verdict answer(Decision decision) {
          return verdict(decision);
        }

        @Override
        public Verdict admittedPending(Decision decision, Object pending) {
          Charge charge = decision.answering();
          RateLimitHeaders headers = decision.config().headers();
          if (charge == null || !headers.enabled()) {
            return Verdict.allowedPending(new String[0], new String[0], pending);
          }
          return Verdict.allowedPending(
              headers.allowedNames(),
              headerValues(headers, charge, decision.answeringOutcome(), -1),
              pending);
        }

        @Override
        public Verdict one(AgentConfig config, Charge charge, Outcome outcome) {
          return verdict(config, charge, outcome);
        }

        @Override
        public Verdict awaitingCompletion(Verdict admitted, Object pending) {
          return pending(admitted, pending);
        }
      };

  private VerdictBuilder() {}

  public static Verdict verdict(Decision decision) {
    Charge charge = decision.answering();
    if (charge == null) {
      return COUNTED_SILENTLY;
    }
    Outcome outcome = decision.answeringOutcome();
    AgentConfig config = decision.config();
    return decision.blocked()
        ? blocked(config, charge, outcome)
        : admitted(config, charge, outcome);
  }

  /** The verdict of a request that made one charge: what {@link #verdict(Decision)} gives it. */
  static Verdict verdict(AgentConfig config, Charge charge, Outcome outcome) {
    if (charge.observeOnly()) {
      return COUNTED_SILENTLY;
    }
    return outcome.allowed() ? admitted(config, charge, outcome) : blocked(config, charge, outcome);
  }

  /** {@code admitted} (null: no headers) as a verdict that awaits its request's end. */
  static Verdict pending(Verdict admitted, Object pending) {
    int count = admitted == null ? 0 : admitted.headerCount();
    String[] names = new String[count];
    String[] values = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = admitted.headerName(i);
      values[i] = admitted.headerValue(i);
    }
    return Verdict.allowedPending(names, values, pending);
  }

  private static Verdict admitted(AgentConfig config, Charge charge, Outcome outcome) {
    RateLimitHeaders headers = config.headers();
    if (!headers.enabled()) {
      return COUNTED_SILENTLY;
    }
    // a large Remaining is written out when the header is set, not in the decision
    if (headers.style() == RateLimitHeaders.Style.X_RATELIMIT) {
      // the default style's three values in the verdict's fields: no array per request
      long remaining = outcome.remaining();
      return Verdict.allowedThree(
          headers.allowedNames(),
          charge.rate().limitText(),
          RateLimitHeaders.remainingOrLater(remaining),
          headers.resetValue(outcome.resetAtMillis()),
          remaining);
    }
    String[] values =
        headers.values(
            charge.rule().name(),
            charge.rate().limitText(),
            charge.windowMillis(),
            outcome.remaining(),
            outcome.resetAtMillis(),
            outcome.decidedAtMillis(),
            -1,
            true);
    return Verdict.allowedCounting(headers.allowedNames(), values, outcome.remaining());
  }

  private static Verdict blocked(AgentConfig config, Charge charge, Outcome outcome) {
    long retryAfter = Math.max(1, RateLimitHeaders.secondsUp(outcome.retryAfterMillis()));
    RateLimitHeaders headers = config.headers();
    String[] names;
    String[] values;
    if (headers.enabled()) {
      names = headers.blockedNames();
      values = headerValues(headers, charge, outcome, retryAfter);
    } else {
      // Retry-After belongs to the 429 itself, not to the optional rate-limit headers
      names = headers.retryAfterOnly();
      values = new String[] {Long.toString(retryAfter)};
    }
    BlockedResponse response = config.response();
    return Verdict.blocked(
        names,
        values,
        response.status(),
        response.contentType(),
        response.body(retryAfter, charge.limit(), charge.rule().name()));
  }

  private static String[] headerValues(
      RateLimitHeaders headers, Charge charge, Outcome outcome, long retryAfterSeconds) {
    return headers.values(
        charge.rule().name(),
        charge.rate().limitText(),
        charge.windowMillis(),
        outcome.remaining(),
        outcome.resetAtMillis(),
        outcome.decidedAtMillis(),
        retryAfterSeconds);
  }
}
