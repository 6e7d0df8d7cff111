package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.InFlightSlots;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code concurrent: N}: at most N requests of one client (its user, else its IP) in flight on a
 * rule. Slots are taken before the rates are charged: a request refused here charges no rate, and
 * one that a rate then blocks gives its slots back at once; an admitted request holds them until
 * the entry point reports its end ({@code RateLimitBridge.completed}), or until the lease expires.
 * The N+1-th request is refused with Retry-After 1. Dry-run rules take no slots.
 */
public final class InFlight {

  private static final AtomicBoolean CANNOT_REPORT_ENDS_SAID = new AtomicBoolean();

  private final InFlightSlots slots;

  public InFlight(InFlightSlots slots) {
    this.slots = slots;
  }

  /**
   * The slots one admitted request holds, to release when it ends: the pending state of its
   * verdict. Released once, however often asked.
   */
  public static final class Held {
    private final InFlightSlots slots;
    private final String[] keys;
    private final String[] leases;
    private int count;
    private final AtomicBoolean released = new AtomicBoolean();

    /** Set when a rule was full: nothing is held then. */
    private RateLimitRule refusedBy;

    private String refusedClient;
    private boolean refusedPerUser;

    /** The request's other pending state (failures-only charges to settle), or null. */
    private volatile Object alongside;

    Held(InFlightSlots slots, int capacity) {
      this.slots = slots;
      this.keys = new String[capacity];
      this.leases = new String[capacity];
    }

    /** Gives every slot back; later calls do nothing. */
    public void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      for (int i = 0; i < count; i++) {
        try {
          slots.release(keys[i], leases[i]);
        } catch (RuntimeException failure) {
          AgentLog.once("giving back an in-flight slot failed; it expires by itself", failure);
        }
      }
    }

    /** The request's other pending state, settled after the slots are released; or null. */
    public Object alongside() {
      return alongside;
    }

    /** Slots held (0 once refused). */
    int count() {
      return count;
    }

    boolean refused() {
      return refusedBy != null;
    }
  }

  /**
   * Takes a slot of every matched rule with a cap, for the client: the user when there is one, else
   * the IP. Null when no matched rule has a cap; a {@link Held} that {@link Held#refused()}
   * (holding nothing) when a rule is full.
   */
  Held acquire(ClientBuckets buckets, RateLimitRule[] matched, String ip, String user) {
    Held held = null;
    boolean perUser = user != null;
    String client = perUser ? user : ip;
    for (RateLimitRule rule : matched) {
      String keyStart = buckets.inFlightKeyStart(rule, perUser);
      if (keyStart == null) {
        continue;
      }
      if (held == null) {
        held = new Held(slots, matched.length);
      }
      String key = keyStart + client + '}';
      String lease = slots.tryAcquire(key, rule.clientLimits().concurrent());
      if (lease == null) {
        held.release();
        held.count = 0;
        held.refusedBy = rule;
        held.refusedClient = client;
        held.refusedPerUser = perUser;
        return held;
      }
      held.keys[held.count] = key;
      held.leases[held.count] = lease;
      held.count++;
    }
    return held;
  }

  /** What a full rule answers (a 429 with Retry-After 1): nothing remains, back in a second. */
  static Outcome refusedOutcome(long nowMillis) {
    return new Outcome(false, 0, nowMillis + 1_000, 1_000, nowMillis);
  }

  /** The charge a refusal is told and counted as: the rule's cap over one second. */
  static Charge refusedCharge(ClientBuckets buckets, Held refused) {
    RateLimitRule rule = refused.refusedBy;
    return new Charge(
        rule,
        refused.refusedPerUser ? BucketKind.USER : BucketKind.IP,
        buckets.inFlightRate(rule),
        buckets.inFlightKeyStart(rule, refused.refusedPerUser),
        refused.refusedClient);
  }

  /**
   * The caller's answer made to hold {@code held} until the request ends: a blocked request gives
   * the slots back at once; an admitted one carries them as its pending state.
   */
  static <R> Answer<R> holding(Answer<R> answer, Held held) {
    return new Answer<R>() {
      @Override
      public R answer(Decision decision) {
        if (decision.blocked()) {
          held.release();
          return answer.answer(decision);
        }
        return admitted(answer, answer.answer(decision), held);
      }

      @Override
      public R admittedPending(Decision decision, Object pending) {
        held.alongside = pending; // settled when the slots are released
        return admitted(answer, answer.admittedPending(decision, pending), held);
      }

      @Override
      public R one(AgentConfig config, Charge charge, Outcome outcome) {
        if (!charge.observeOnly() && !outcome.allowed()) {
          held.release();
          return answer.one(config, charge, outcome);
        }
        return admitted(answer, answer.one(config, charge, outcome), held);
      }
    };
  }

  /**
   * An admitted request's answer carrying {@code held}; {@code admitted} is null when no rate was
   * charged. An entry point that cannot report ends gets the answer without it, the slots given
   * back at once (the cap does not apply there), and that is said once.
   */
  static <R> R admitted(Answer<R> answer, R admitted, Held held) {
    R carrying = answer.awaitingCompletion(admitted, held);
    if (carrying == null) {
      held.release();
      if (CANNOT_REPORT_ENDS_SAID.compareAndSet(false, true)) {
        AgentLog.warn(
            "an entry point that cannot report when a request ends decided a rule with"
                + " 'concurrent': the in-flight cap does not apply there. Said once.");
      }
      return admitted;
    }
    return carrying;
  }
}
