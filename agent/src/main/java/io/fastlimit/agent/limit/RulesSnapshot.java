package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.observe.RuleStats;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RuleSet;
import io.fastlimit.bootstrap.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * One configuration plus what the limiter derives from it once rather than per request: the rules
 * by stage, what an entry point reads from a request for them, the key start of every rule's
 * buckets and every rule's statistics. Immutable; the limiter swaps it whole on reload, and a
 * request is decided by the one snapshot it started with.
 */
public final class RulesSnapshot {

  private static final BucketKind[] KINDS = BucketKind.values();
  private static final Stage[] STAGES = Stage.values();

  final AgentConfig config;

  /** The request attribute holding the user id, or null when no rule limits users. */
  final String userIdAttribute;

  final boolean userIdFromPrincipal;

  /** Whether any rule reads its account from a form field ({@code account-from: form:NAME}). */
  private final boolean anyFormAccount;

  /** The rules by stage (by {@link Stage#ordinal()}). */
  final RuleSet[] byStage;

  /** Statistics of each rule, by the rule's index. */
  final RuleStats[] ruleStats;

  /** Plan buckets and in-flight slot keys of the rules (issue 14). */
  final ClientBuckets clientBuckets;

  /** By bucket kind (ordinal), then rule index: {@link Charge#keyStart}, null without a rate. */
  private final String[][] keyStarts;

  RulesSnapshot(AgentConfig config, Stats stats) {
    this.config = config;
    boolean anyUserRule = false;
    boolean formAccount = false;
    List<RateLimitRule> rules = config.rules().rules();
    ruleStats = new RuleStats[rules.size()];
    keyStarts = new String[KINDS.length][rules.size()];
    List<RateLimitRule> atContainer = new ArrayList<>();
    List<RateLimitRule> beforeFilters = new ArrayList<>();
    List<RateLimitRule> atServlet = new ArrayList<>();
    List<RateLimitRule> afterContainer = new ArrayList<>();
    for (RateLimitRule rule : rules) {
      anyUserRule |=
          rule.userRate() != null
              || !rule.clientLimits().plans().isEmpty()
              || rule.clientLimits().concurrent() > 0;
      formAccount |= rule.login().accountSource() == LoginProtection.Source.FORM;
      ruleStats[rule.index()] = stats.forRule(rule.name());
      for (BucketKind kind : KINDS) {
        if (kind.rateOf(rule) != null) {
          keyStarts[kind.ordinal()][rule.index()] =
              Charge.keyStart(config.keyPrefix(), rule.name(), kind);
        }
      }
      if (rule.stage() == Stage.CONTAINER) {
        atContainer.add(rule); // decided there alone, never again at a filter or servlet
      } else {
        (rule.beforeFilters() ? beforeFilters : atServlet).add(rule);
        afterContainer.add(rule);
      }
    }
    byStage = new RuleSet[STAGES.length];
    byStage[Stage.CONTAINER.ordinal()] = new RuleSet(atContainer);
    byStage[Stage.FILTERS.ordinal()] = new RuleSet(beforeFilters);
    byStage[Stage.SERVLET.ordinal()] = new RuleSet(atServlet);
    byStage[Stage.SERVLET_ALONE.ordinal()] =
        atContainer.isEmpty() ? config.rules() : new RuleSet(afterContainer);
    clientBuckets = new ClientBuckets(config);
    // read nothing from the request that no rule needs
    this.userIdAttribute = anyUserRule ? config.userIdAttribute() : null;
    this.userIdFromPrincipal = anyUserRule && config.userIdFromPrincipal();
    this.anyFormAccount = formAccount;
  }

  public AgentConfig config() {
    return config;
  }

  /** Whether any rule is decided at {@link Stage#CONTAINER}, the container's front door. */
  public boolean anyAtContainer() {
    return !byStage[Stage.CONTAINER.ordinal()].rules().isEmpty();
  }

  /** Whether any rule, at any stage, reads its account from a form field. */
  public boolean anyFormAccount() {
    return anyFormAccount;
  }

  /** Whether any rule is decided at {@link Stage#FILTERS}. */
  public boolean anyBeforeFilters() {
    return !byStage[Stage.FILTERS.ordinal()].rules().isEmpty();
  }

  /** The request attribute holding the user id, or null when no rule needs one from it. */
  public String userIdAttribute() {
    return userIdAttribute;
  }

  /** Whether the user id is the request's principal name, when some rule limits users. */
  public boolean userIdFromPrincipal() {
    return userIdFromPrincipal;
  }

  /** The header listing forwarding addresses when trusted proxies are configured, else null. */
  public String forwardedForHeader() {
    return config.clientIp().forwardedForHeader();
  }

  /** The charge of {@code rule} on the {@code kind} bucket of {@code client}. */
  Charge charge(RateLimitRule rule, BucketKind kind, String client) {
    return charge(rule, kind, client, -1);
  }

  /** As {@link #charge(RateLimitRule, BucketKind, String)}, with the client's IPv4 bits or -1. */
  Charge charge(RateLimitRule rule, BucketKind kind, String client, long clientV4) {
    return new Charge(rule, kind, keyStarts[kind.ordinal()][rule.index()], client, clientV4);
  }
}
