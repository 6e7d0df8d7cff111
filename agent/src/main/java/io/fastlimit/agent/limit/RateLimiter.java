package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.http.BlockedResponse;
import io.fastlimit.agent.http.ClientIpResolver;
import io.fastlimit.agent.http.KeyText;
import io.fastlimit.agent.http.RateLimitHeaders;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.observe.RateLimitedLog;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;

/**
 * Decides requests: matches the rules, picks one bucket per rule (the user's when the rule has a
 * user rate and the request a user id, else the client IP's), charges them all in one backend
 * step and turns the outcomes into a {@link Verdict}. The configuration is a snapshot swapped
 * whole on reload.
 */
public final class RateLimiter implements RateLimitBridge {

  /** An admitted request that was counted but gets no headers (all its rules are dry-run). */
  private static final Verdict COUNTED_SILENTLY = Verdict.allowed(new String[0], new String[0]);

  private final Backend backend;
  private final RateLimitedLog dryRunLog =
      new RateLimitedLog(20, System::currentTimeMillis);
  private volatile Snapshot snapshot;

  /** The configuration plus what is derived from it once rather than per request. */
  private static final class Snapshot {
    final AgentConfig config;
    final String userIdAttribute;
    final boolean userIdFromPrincipal;

    Snapshot(AgentConfig config) {
      this.config = config;
      boolean anyUserRule = false;
      for (RateLimitRule rule : config.rules().rules()) {
        anyUserRule |= rule.userRate() != null;
      }
      // read nothing from the request that no rule needs
      this.userIdAttribute = anyUserRule ? config.userIdAttribute() : null;
      this.userIdFromPrincipal = anyUserRule && config.userIdFromPrincipal();
    }
  }

  public RateLimiter(AgentConfig config, Backend backend) {
    this.backend = backend;
    this.snapshot = new Snapshot(config);
  }

  /** Swaps in a new configuration; requests in flight finish with the one they started with. */
  public void update(AgentConfig config) {
    this.snapshot = new Snapshot(config);
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
  public String forwardedForHeader() {
    return snapshot.config.clientIp().forwardedForHeader();
  }

  @Override
  public void failed(Throwable failure) {
    AgentLog.once("reading the request or writing the response failed; requests pass", failure);
  }

  @Override
  public Verdict decide(
      String method, String path, String peerAddress, String forwardedFor, String userId) {
    try {
      return decideOrThrow(method, path, peerAddress, forwardedFor, userId);
    } catch (Throwable failure) {
      AgentLog.once("deciding a request failed; requests pass unlimited while this lasts", failure);
      return null;
    }
  }

  private Verdict decideOrThrow(
      String method, String path, String peerAddress, String forwardedFor, String userId) {
    AgentConfig config = snapshot.config;
    if (method == null || path == null) {
      return null;
    }
    RateLimitRule[] rules = config.rules().match(method, path);
    if (rules.length == 0) {
      return null;
    }
    ClientIpResolver.Client client = config.clientIp().resolve(peerAddress, forwardedFor);
    if (client.exempt()) {
      return null;
    }
    String user = userId == null || userId.isEmpty() ? null : KeyText.bounded(userId);
    Charge[] charges = new Charge[rules.length];
    RateLimitRule[] charged = new RateLimitRule[rules.length];
    int count = 0;
    for (RateLimitRule rule : rules) {
      Rate rate;
      String key;
      if (rule.userRate() != null && user != null) {
        rate = rule.userRate();
        key = config.keyPrefix() + ':' + rule.name() + ":user:" + user;
      } else if (rule.ipRate() != null) {
        rate = rule.ipRate();
        key = config.keyPrefix() + ':' + rule.name() + ":ip:" + client.key();
      } else {
        continue; // a user-only rule does not apply to anonymous requests
      }
      charges[count] =
          new Charge(
              key, rate.limit(), rate.windowMillis(), rule.cost(), rule.algorithm(), rule.dryRun());
      charged[count++] = rule;
    }
    if (count == 0) {
      return null;
    }
    if (count < charges.length) {
      Charge[] trimmed = new Charge[count];
      System.arraycopy(charges, 0, trimmed, 0, count);
      charges = trimmed;
    }
    Outcome[] outcomes = backend.acquire(charges);
    int blocking = -1;
    int tightest = -1;
    for (int i = 0; i < count; i++) {
      Outcome outcome = outcomes[i];
      if (charges[i].observeOnly()) {
        if (!outcome.allowed()) {
          dryRunLog.info(
              "dry-run: would block rule="
                  + charged[i].name()
                  + " key="
                  + KeyText.forLog(charges[i].key())
                  + " limit="
                  + charges[i].limit()
                  + " retry_after_ms="
                  + outcome.retryAfterMillis());
        }
      } else if (!outcome.allowed()) {
        // admitted only when every rule admits: the longest wait is the true one
        if (blocking < 0 || outcome.retryAfterMillis() > outcomes[blocking].retryAfterMillis()) {
          blocking = i;
        }
      } else if (tightest < 0 || outcome.remaining() < outcomes[tightest].remaining()) {
        tightest = i;
      }
    }
    if (blocking >= 0) {
      return blocked(config, charged[blocking], charges[blocking], outcomes[blocking]);
    }
    if (tightest < 0 || !config.headers().enabled()) {
      return COUNTED_SILENTLY;
    }
    Outcome outcome = outcomes[tightest];
    return Verdict.allowed(
        config.headers().allowedNames(),
        new String[] {
          Long.toString(charges[tightest].limit()),
          Long.toString(outcome.remaining()),
          Long.toString(secondsUp(outcome.resetAtMillis()))
        });
  }

  private static Verdict blocked(
      AgentConfig config, RateLimitRule rule, Charge charge, Outcome outcome) {
    long retryAfter = Math.max(1, secondsUp(outcome.retryAfterMillis()));
    RateLimitHeaders headers = config.headers();
    BlockedResponse response = config.response();
    String[] names;
    String[] values;
    if (headers.enabled()) {
      names = headers.blockedNames();
      values =
          new String[] {
            Long.toString(charge.limit()),
            Long.toString(outcome.remaining()),
            Long.toString(secondsUp(outcome.resetAtMillis())),
            Long.toString(retryAfter)
          };
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

  /** Milliseconds to whole seconds, rounded up. */
  private static long secondsUp(long millis) {
    return -Math.floorDiv(-millis, 1000L);
  }
}
