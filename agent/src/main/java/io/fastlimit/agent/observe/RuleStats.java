package io.fastlimit.agent.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to the requests of one rule since the agent started. Kept across reloads for a rule
 * whose name did not change. Contention-free counters: they are bumped on every request.
 */
public final class RuleStats {

  private final String rule;
  private final LongAdder allowed = new LongAdder();
  private final LongAdder blocked = new LongAdder();
  private final LongAdder wouldBlock = new LongAdder();
  private final LongAdder backendErrors = new LongAdder();
  private final LongAdder unreached = new LongAdder();
  private final BlockedClients blockedClients = new BlockedClients(System::currentTimeMillis);
  // the would-blocks already reported in a dry-run summary
  private long wouldBlockSummarized;

  RuleStats(String rule) {
    this.rule = rule;
  }

  public String rule() {
    return rule;
  }

  public void allowed() {
    allowed.increment();
  }

  public void blocked() {
    blocked.increment();
  }

  /** A blocked request, and whose bucket blocked it: the kind's word and the client's key. */
  public void blocked(String kind, String client) {
    blocked.increment();
    blockedClients.blocked(kind, client);
  }

  /** The clients this rule blocked most in the last minutes. */
  public BlockedClients blockedClients() {
    return blockedClients;
  }

  public void wouldBlock() {
    wouldBlock.increment();
  }

  public void backendError() {
    backendErrors.increment();
  }

  /** A request the rule covers that the application answered in a filter, out of its reach. */
  public void unreached() {
    unreached.increment();
  }

  public long allowedCount() {
    return allowed.sum();
  }

  public long blockedCount() {
    return blocked.sum();
  }

  public long wouldBlockCount() {
    return wouldBlock.sum();
  }

  public long backendErrorCount() {
    return backendErrors.sum();
  }

  public long unreachedCount() {
    return unreached.sum();
  }

  /** Would-blocks since the previous call; for the periodic dry-run summary (one caller). */
  synchronized long takeNewWouldBlocks() {
    long total = wouldBlock.sum();
    long fresh = total - wouldBlockSummarized;
    wouldBlockSummarized = total;
    return fresh;
  }
}
