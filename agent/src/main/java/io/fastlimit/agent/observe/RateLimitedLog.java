package io.fastlimit.agent.observe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lines that can repeat per request (dry-run would-blocks) go through here: at most {@code
 * perSecond} lines each second, and a count of what was suppressed, so a flood cannot fill the
 * disk.
 */
public final class RateLimitedLog {

  private final int perSecond;
  private final LongSupplier clock;
  private final AtomicLong state = new AtomicLong(); // second << 20 | lines written in it
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(int perSecond, LongSupplier clock) {
    this.perSecond = Math.min(perSecond, (1 << 20) - 1);
    this.clock = clock;
  }

  public void info(String line) {
    long second = clock.getAsLong() / 1000;
    while (true) {
      long current = state.get();
      long currentSecond = current >>> 20;
      long written = current & ((1 << 20) - 1);
      if (currentSecond == second && written >= perSecond) {
        suppressed.incrementAndGet();
        return;
      }
      long next = currentSecond == second ? current + 1 : (second << 20) | 1;
      if (state.compareAndSet(current, next)) {
        long dropped = currentSecond == second ? 0 : suppressed.getAndSet(0);
        if (dropped > 0) {
          AgentLog.info("(" + dropped + " similar lines suppressed)");
        }
        AgentLog.info(line);
        return;
      }
    }
  }
}
