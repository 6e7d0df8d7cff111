package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.InFlightSlots;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.client.ClientIpResolver;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.identity.ClientIdentity;
import io.fastlimit.agent.identity.Identified;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RuleSet;
import io.fastlimit.bootstrap.Stage;
import java.util.Arrays;

/**
 * Decides requests: matches the rules of a stage, picks one bucket per rule (the user's when the
 * rule has a user rate and the request a user id, else the client IP's), charges them all in one
 * backend step and returns the {@link Decision}, counted in the rules' statistics. Plain values in,
 * no servlet types; the configuration is a snapshot swapped whole on reload.
 *
 * <p>Bucket keys are {@code prefix:rule:ip:{address}} and {@code prefix:rule:user:{id}}: the client
 * id is a Redis Cluster hash tag, so every bucket of one client lives in one slot and the charges
 * of a request stay one atomic step. Rule names and prefixes cannot contain braces.
 */
public final class RateLimiter {

  private final Backend backend;
  private final Stats stats;
  private final DecisionStats counting = new DecisionStats();
  private final InFlight inFlight;
  private volatile RulesSnapshot snapshot;

  public RateLimiter(AgentConfig config, Backend backend, Stats stats) {
    this(config, backend, stats, InFlightSlots.forBackend(backend));
  }

  /** As the other constructor, with in-flight slots of the caller's ({@code concurrent:}). */
  public RateLimiter(AgentConfig config, Backend backend, Stats stats, InFlightSlots slots) {
    this.inFlight = new InFlight(slots);
    this.backend = backend;
    this.stats = stats;
    this.snapshot = new RulesSnapshot(config, stats);
  }

  /**
   * Swaps in a new configuration; requests in flight finish with the one they started with.
   * Counters live in the backend under the rule's name, so rules whose name did not change keep
   * their counts.
   */
  public void update(AgentConfig config) {
    this.snapshot = new RulesSnapshot(config, stats);
  }

  public Stats stats() {
    return stats;
  }

  public AgentConfig config() {
    return snapshot.config;
  }

  /**
   * The rules in force now. A request reads and is decided by the one snapshot it took, so a reload
   * in between cannot mix two versions.
   */
  public RulesSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Decides one request at one stage under {@code rules} (a {@link #snapshot()}) and returns what
   * {@code answer}, the caller's response side, makes of the decision: a verdict for the servlet
   * advice; another entry point brings its own. Returns null when no rule charges the request: none
   * matches, the client is exempt, or only user rules match an anonymous request. A backend failure
   * is counted against the rules and thrown. {@code request} is the server's own request object,
   * read (through {@link io.fastlimit.agent.request.RequestFacts}) only for what a rule asks beyond
   * path and addresses; may be null.
   */
  public <R> R decide(
      RulesSnapshot rules,
      Stage stage,
      String method,
      String path,
      String peerAddress,
      String forwardedFor,
      String userId,
      Object request,
      Answer<R> answer) {
    if (method == null || path == null || stage == null) {
      return null;
    }
    RateLimitRule[] matched = rules.byStage[stage.ordinal()].match(upperCase(method), path);
    if (matched.length == 0) {
      return null;
    }
    ClientIpResolver resolver = rules.config.clientIp();
    // the common client, a canonical IPv4 peer, parsed once: its bits go on to the backend
    long clientV4 = resolver.peerV4(peerAddress, forwardedFor);
    if (clientV4 == ClientIpResolver.EXEMPT) {
      return null;
    }
    String client = clientV4 >= 0 ? peerAddress : resolver.resolve(peerAddress, forwardedFor);
    if (client == null) {
      return null; // exempt
    }
    String user = userId == null || userId.isEmpty() ? null : KeyText.bounded(userId);
    // issue 14: the user id of an API key or a verified JWT, a plan, in-flight slots
    String plan = null;
    ClientIdentity identity = rules.config.clientIdentity();
    if (identity != null) {
      Identified who = identity.identify(request, user);
      user = who.user();
      plan = who.plan();
    }
    InFlight.Held held = null;
    if (rules.clientBuckets.anyInFlight()) {
      held = inFlight.acquire(rules.clientBuckets, matched, client, user);
      if (held != null && held.refused()) {
        Charge refused = InFlight.refusedCharge(rules.clientBuckets, held);
        Outcome full = InFlight.refusedOutcome(System.currentTimeMillis());
        counting.decided(rules, refused, full);
        return answer.one(rules.config, refused, full);
      }
    }
    Answer<R> answering = held == null ? answer : InFlight.holding(answer, held);
    R decided;
    try {
      decided =
          matched.length == 1 && matched[0].login() == LoginProtection.NONE && plan == null
              ? decideOne(rules, matched[0], client, clientV4, user, answering)
              : decideMany(rules, matched, client, user, plan, request, answering);
    } catch (RuntimeException failure) {
      if (held != null) {
        held.release();
      }
      throw failure;
    }
    return decided == null && held != null ? InFlight.admitted(answer, null, held) : decided;
  }

  /** The common case, one rule: the same steps as {@link #decideMany} without arrays. */
  private <R> R decideOne(
      RulesSnapshot current,
      RateLimitRule rule,
      String client,
      long clientV4,
      String user,
      Answer<R> answer) {
    BucketKind kind = kindFor(rule, user);
    if (kind == null) {
      return null;
    }
    boolean byUser = kind == BucketKind.USER;
    // one allocation site that never meets null: so the JIT can keep the charge off the heap
    Charge charge = current.charge(rule, kind, byUser ? user : client, byUser ? -1 : clientV4);
    Outcome outcome;
    try {
      outcome = backend.acquire(charge);
    } catch (RuntimeException failure) {
      // the rule, not the charge: a charge handed to a call the JIT does not inline is allocated
      counting.backendFailed(current, rule);
      throw failure;
    }
    counting.decided(current, charge, outcome);
    return answer.one(current.config, charge, outcome);
  }

  private <R> R decideMany(
      RulesSnapshot current,
      RateLimitRule[] rules,
      String client,
      String user,
      String plan,
      Object request,
      Answer<R> answer) {
    Charge[] charges = new Charge[2 * rules.length];
    int count = 0;
    boolean failuresOnly = false;
    for (RateLimitRule rule : rules) {
      Charge charge = chargeFor(current, rule, client, user, plan);
      if (charge != null) {
        charges[count++] = charge;
        Charge account = accountCharge(current, rule, request);
        if (account != null) {
          charges[count++] = account; // with the ip (or user) bucket, in the same step
        }
        failuresOnly |= rule.login().countFailuresOnly();
      }
    }
    if (count == 0) {
      return null;
    }
    if (count < charges.length) {
      charges = Arrays.copyOf(charges, count);
    }
    Outcome[] outcomes;
    try {
      outcomes = backend.acquire(charges);
    } catch (RuntimeException failure) {
      for (Charge charge : charges) {
        counting.backendFailed(current, charge.rule());
      }
      throw failure;
    }
    Decision decision = new Decision(current.config, charges, outcomes);
    counting.decided(current, decision);
    if (failuresOnly && !decision.blocked()) {
      FailureCharges pending = failureCharges(charges, outcomes);
      if (pending != null) {
        return answer.admittedPending(decision, pending);
      }
    }
    return answer.answer(decision);
  }

  /**
   * The charge on the account bucket of a rule that has one, when the request names an account;
   * null otherwise (then the rule's other bucket applies alone). The account is hashed in the key.
   */
  private static Charge accountCharge(RulesSnapshot current, RateLimitRule rule, Object request) {
    LoginProtection login = rule.login();
    if (login.accountRate() == null) {
      return null;
    }
    String account = AccountReader.account(login, request);
    if (account == null) {
      return null;
    }
    return current.charge(
        rule, BucketKind.ACCOUNT, AccountKey.of(current.config.keyPrefix(), account));
  }

  /** What an admitted request counted on count-failures rules, to give back on success. */
  private FailureCharges failureCharges(Charge[] charges, Outcome[] outcomes) {
    int count = 0;
    for (int i = 0; i < charges.length; i++) {
      if (givenBackOnSuccess(charges[i], outcomes[i])) {
        count++;
      }
    }
    if (count == 0) {
      return null;
    }
    Charge[] counted = new Charge[count];
    long[] at = new long[count];
    boolean[] inFallback = null;
    for (int i = 0, j = 0; i < charges.length; i++) {
      if (givenBackOnSuccess(charges[i], outcomes[i])) {
        if (outcomes[i].countedInFallback()) {
          inFallback = inFallback == null ? new boolean[count] : inFallback;
          inFallback[j] = true;
        }
        counted[j] = charges[i];
        at[j++] = charges[i].countedAtMillis(outcomes[i]);
      }
    }
    return new FailureCharges(this, counted, at, inFallback);
  }

  /**
   * Whether a success gives this charge back: its rule counts failures only, and the backend
   * admitted and counted it, in its store or its fallback. A charge the backend answered without
   * counting it (Redis's {@code on-error: allow}, say) was never taken from a bucket: giving it
   * back would take another request's.
   */
  private static boolean givenBackOnSuccess(Charge charge, Outcome outcome) {
    return charge.rule().login().countFailuresOnly()
        && outcome.allowed()
        && (outcome.counted() || outcome.countedInFallback());
  }

  /**
   * How a request ended whose verdict awaited it ({@code pending} from that verdict): gives back
   * each charge whose rule does not count this response as a failure (status, redirect Location,
   * forward target; status 0, unknown, is a failure). Once per pending state; never blocks on the
   * backend for long (Redis is not waited for).
   */
  public void completed(Object pending, int status, String location, String forwardPath) {
    if (!(pending instanceof FailureCharges)) {
      return;
    }
    FailureCharges counted = (FailureCharges) pending;
    if (!counted.settle()) {
      return;
    }
    int back = 0;
    boolean[] give = new boolean[counted.charges.length];
    for (int i = 0; i < give.length; i++) {
      give[i] = !counted.charges[i].rule().login().isFailure(status, location, forwardPath);
      back += give[i] ? 1 : 0;
    }
    if (back == 0) {
      return;
    }
    giveBack(counted, give, false);
    giveBack(counted, give, true);
  }

  /**
   * Gives back the charges {@code give} marks: those counted in the backend's store, or those
   * counted in its fallback ({@code fallback}), each where it counted.
   */
  private void giveBack(FailureCharges counted, boolean[] give, boolean fallback) {
    int back = 0;
    for (int i = 0; i < give.length; i++) {
      back += give[i] && counted.inFallback(i) == fallback ? 1 : 0;
    }
    if (back == 0) {
      return;
    }
    Charge[] charges = new Charge[back];
    long[] at = new long[back];
    for (int i = 0, j = 0; i < give.length; i++) {
      if (give[i] && counted.inFallback(i) == fallback) {
        charges[j] = counted.charges[i];
        at[j++] = counted.chargedAtMillis[i];
      }
    }
    if (fallback) {
      backend.giveBackToFallback(charges, at);
    } else {
      backend.giveBack(charges, at);
    }
  }

  /**
   * The charge of one rule: on the user's plan bucket when the rule names the user's plan (issue
   * 14), else on the user's bucket when the rule has a user rate and the request a user id, else on
   * the client IP's; null for a user-only rule and an anonymous request.
   */
  private static Charge chargeFor(
      RulesSnapshot current, RateLimitRule rule, String client, String user, String plan) {
    if (plan != null && user != null) {
      Charge onPlan = current.clientBuckets.planCharge(rule, plan, user);
      if (onPlan != null) {
        return onPlan;
      }
    }
    BucketKind kind = kindFor(rule, user);
    return kind == null
        ? null
        : current.charge(rule, kind, kind == BucketKind.USER ? user : client);
  }

  /** The kind of bucket {@link #chargeFor} charges; null when it charges none. */
  private static BucketKind kindFor(RateLimitRule rule, String user) {
    if (rule.userRate() != null && user != null) {
      return BucketKind.USER;
    }
    if (rule.ipRate() != null) {
      return BucketKind.IP;
    }
    return null; // a user-only rule does not apply to anonymous requests
  }

  /**
   * Counts and reports, once per rule, the rules decided at the servlet that cover a request the
   * application answered inside a filter: they never apply to it.
   */
  public void answeredInFilter(String method, String path, String filter) {
    RulesSnapshot current = snapshot;
    RuleSet atServlet = current.byStage[Stage.SERVLET.ordinal()];
    if (method == null || path == null || atServlet.rules().isEmpty()) {
      return;
    }
    String upperMethod = upperCase(method);
    for (RateLimitRule rule : atServlet.match(upperMethod, path)) {
      counting.unreached(current, rule, upperMethod + " " + path, filter);
    }
  }

  /** The rules of a stage that cover a request, for messages; empty for bad input. */
  public static RateLimitRule[] rulesAt(
      RulesSnapshot rules, Stage stage, String method, String path) {
    if (method == null || path == null || stage == null) {
      return new RateLimitRule[0];
    }
    return rules.byStage[stage.ordinal()].match(upperCase(method), path);
  }

  /**
   * The method in upper case. Containers pass "post" through and frameworks route it like POST, so
   * a rule for POST must see it as POST; allocates only for a method not already upper case.
   */
  static String upperCase(String method) {
    // a server that hands its own constant for a common method hands an interned literal, the
    // same instance as ours: one compare instead of a scan (any other instance is scanned)
    if (method == "GET" || method == "POST") {
      return method;
    }
    for (int i = 0; i < method.length(); i++) {
      char ch = method.charAt(i);
      if (ch >= 'a' && ch <= 'z') {
        return method.toUpperCase(java.util.Locale.ROOT);
      }
    }
    return method;
  }
}
