package io.fastlimit.agent.backend;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * A lock held for the few arithmetic steps of a check. It spins instead of parking: a monitor that
 * many request threads contend on inflates and parks them for microseconds each. Not reentrant.
 */
abstract class SpinLock {
  private static final AtomicIntegerFieldUpdater<SpinLock> LOCKED =
      AtomicIntegerFieldUpdater.newUpdater(SpinLock.class, "locked");

  /** Spins before yielding: long enough for a holder on another core to finish. */
  private static final int SPINS = 64;

  /** Yields before sleeping: a holder descheduled for longer is waited for without the CPU. */
  private static final int YIELDS = 64;

  private static final long SLEEP_NANOS = 50_000;

  private volatile int locked;

  final void lock() {
    int turns = 0;
    while (!LOCKED.compareAndSet(this, 0, 1)) {
      // wait on a read, not on failing writes that pull the line from the holder's core;
      // past a few dozen turns the holder is likely descheduled: let it run, and if it still
      // does not finish (many threads on few cores), stop burning the CPU it needs
      while (locked != 0) {
        turns++;
        if (turns > SPINS + YIELDS) {
          LockSupport.parkNanos(SLEEP_NANOS);
        } else if (turns > SPINS) {
          Thread.yield();
        }
      }
    }
  }

  final void unlock() {
    LOCKED.lazySet(this, 0); // a release store: the writes under the lock are seen by the next
  }
}
