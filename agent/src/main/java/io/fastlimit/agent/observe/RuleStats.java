package io.fastlimit.agent.observe;

/**
 * What happened to the requests of one rule since the agent started. Kept across reloads for a rule
 * whose name did not change. Counters striped by thread ({@link StripedCounters}): they are bumped
 * on every request, by many more threads than there are cores.
 */
public final class RuleStats {

  private static final int ALLOWED = 0;
  private static final int BLOCKED = 1;
  private static final int WOULD_BLOCK = 2;
  private static final int BACKEND_ERRORS = 3;
  private static final int UNREACHED = 4;

  private final String rule;
  private final StripedCounters counts = new StripedCounters(5);
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
    counts.increment(ALLOWED);
  }

  public void blocked() {
    counts.increment(BLOCKED);
  }

  /** A blocked request, and whose bucket blocked it: the kind's word and the client's key. */
  public void blocked(String kind, String client) {
    counts.increment(BLOCKED);
    blockedClients.blocked(kind, client);
  }

  /** The clients this rule blocked most in the last minutes. */
  public BlockedClients blockedClients() {
    return blockedClients;
  }

  public void wouldBlock() {
    counts.increment(WOULD_BLOCK);
  }

  public void backendError() {
    counts.increment(BACKEND_ERRORS);
  }

  /** A request the rule covers that the application answered in a filter, out of its reach. */
  public void unreached() {
    counts.increment(UNREACHED);
  }

  public long allowedCount() {
    return counts.sum(ALLOWED);
  }

  public long blockedCount() {
    return counts.sum(BLOCKED);
  }

  public long wouldBlockCount() {
    return counts.sum(WOULD_BLOCK);
  }

  public long backendErrorCount() {
    return counts.sum(BACKEND_ERRORS);
  }

  public long unreachedCount() {
    return counts.sum(UNREACHED);
  }

  /** Would-blocks since the previous call; for the periodic dry-run summary (one caller). */
  synchronized long takeNewWouldBlocks() {
    long total = counts.sum(WOULD_BLOCK);
    long fresh = total - wouldBlockSummarized;
    wouldBlockSummarized = total;
    return fresh;
  }
}
