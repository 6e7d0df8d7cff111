package io.fastlimit.agent.observe;

/**
 * Every period, one line per rule that would have blocked requests in dry-run since the last line:
 * the count the rate-limited per-request log may have suppressed.
 */
public final class DryRunSummary {

  public static final long DEFAULT_PERIOD_MILLIS = 60_000;

  private DryRunSummary() {}

  public static void start(Stats stats, long periodMillis) {
    Thread thread =
        new Thread(
            () -> {
              while (true) {
                try {
                  Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                  return;
                }
                report(stats, periodMillis);
              }
            },
            "fastlimit-dry-run-summary");
    thread.setDaemon(true);
    thread.start();
  }

  static void report(Stats stats, long periodMillis) {
    for (RuleStats rule : stats.all()) {
      long fresh = rule.takeNewWouldBlocks();
      if (fresh > 0) {
        AgentLog.info(
            "dry-run summary: rule="
                + rule.rule()
                + " would_block="
                + fresh
                + " in the last "
                + periodMillis / 1000
                + " s (total "
                + rule.wouldBlockCount()
                + ")");
      }
    }
  }
}
