package io.fastlimit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a coarse clock would cost (issue 15): a daemon thread that writes {@link System#nanoTime()}
 * to a volatile field and parks for a period, the way a millisecond clock kept by a ticker would
 * run, measured by its own CPU time over ten seconds after two of warm-up. A decision reading that
 * field instead of the clock saves one clock read (~20-25 ns on the VMs of bench/README.md); the
 * thread pays for itself only above (its CPU a second) / (that saving) decisions a second.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.fastlimit.bench.ClockThreadCost [period-µs ...]
 * </pre>
 */
public final class ClockThreadCost {

  static volatile long now;

  private ClockThreadCost() {}

  public static void main(String[] args) throws InterruptedException {
    String[] periods = args.length == 0 ? new String[] {"1000", "10000"} : args;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String period : periods) {
      long periodNanos = Long.parseLong(period) * 1_000L;
      Thread ticker =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  now = System.nanoTime();
                  LockSupport.parkNanos(periodNanos);
                }
              },
              "ticker");
      ticker.setDaemon(true);
      ticker.start();
      Thread.sleep(2_000);
      long cpuBefore = threads.getThreadCpuTime(ticker.getId());
      long wallBefore = System.nanoTime();
      Thread.sleep(10_000);
      long cpu = threads.getThreadCpuTime(ticker.getId()) - cpuBefore;
      long wall = System.nanoTime() - wallBefore;
      ticker.interrupt();
      ticker.join();
      double share = (double) cpu / wall;
      System.out.printf(
          "period %d µs: the ticker takes %.2f%% of a core; at 22 ns saved a decision it pays for"
              + " itself above %,.0f decisions a second%n",
          periodNanos / 1_000, 100 * share, share / 22e-9);
    }
  }
}
