package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.observe.RateLimitedLog;
import io.fastlimit.agent.observe.RuleStats;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts what the limiter decided in the statistics of each rule, and says in the log what an
 * operator must see: a dry-run rule that would have blocked (rate-limited), and a rule that can
 * never apply because the application answers its requests inside a filter (once per rule).
 */
final class DecisionStats {

  private static final int MAX_UNREACHED_REPORTS = 1000;

  private final RateLimitedLog dryRunLog = new RateLimitedLog(20, System::currentTimeMillis);

  /** Names of the rules already reported as never reached (answered inside a filter). */
  private final Set<String> unreachedRules = ConcurrentHashMap.newKeySet();

  /** Counts a decision: each charge's rule as allowed, blocked or would-block. */
  void decided(RulesSnapshot rules, Decision decision) {
    for (int i = 0; i < decision.size(); i++) {
      counted(rules, decision.charge(i), decision.outcome(i), decision.blocked());
    }
  }

  /** Counts the decision of a request that made one charge (a blocked one or not). */
  void decided(RulesSnapshot rules, Charge charge, Outcome outcome) {
    counted(rules, charge, outcome, !charge.observeOnly() && !outcome.allowed());
  }

  private void counted(
      RulesSnapshot rules, Charge charge, Outcome outcome, boolean requestBlocked) {
    RuleStats ruleStats = rules.ruleStats[charge.rule().index()];
    if (requestBlocked) {
      if (!outcome.allowed() && !charge.observeOnly()) {
        ruleStats.blocked(charge.kind().keyWord(), charge.client());
      }
    } else if (charge.observeOnly() && !outcome.allowed()) {
      // a would-block counts only when the request passed: what enforcing would change
      ruleStats.wouldBlock();
      logWouldBlock(charge, outcome);
    } else {
      ruleStats.allowed();
    }
  }

  /** Counts a backend failure against a rule whose charge got no answer. */
  void backendFailed(RulesSnapshot rules, RateLimitRule rule) {
    rules.ruleStats[rule.index()].backendError();
  }

  /** Counts and reports a rule that covered a request the application answered in a filter. */
  void unreached(RulesSnapshot rules, RateLimitRule rule, String request, String filter) {
    rules.ruleStats[rule.index()].unreached();
    if (unreachedRules.size() < MAX_UNREACHED_REPORTS && unreachedRules.add(rule.name())) {
      AgentLog.warn(
          "rule "
              + KeyText.forLog(rule.name())
              + " covers "
              + KeyText.forLog(request)
              + ", but the application answered that request inside the filter "
              + KeyText.forLog(filter)
              + " before any servlet, where the rule is decided: it never applies there."
              + " Mark the rule before-filters: true to decide it at the first filter (per"
              + " client IP). Said once per rule.");
    }
  }

  private void logWouldBlock(Charge charge, Outcome outcome) {
    dryRunLog.info(
        "dry-run: would block rule="
            + KeyText.forLog(charge.rule().name())
            + " bucket="
            + charge.kind().keyWord()
            + " key="
            + KeyText.forLog(charge.key())
            + " limit="
            + charge.limit()
            + " remaining="
            + outcome.remaining()
            + " retry_after_ms="
            + outcome.retryAfterMillis());
  }
}
