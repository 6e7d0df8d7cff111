package io.fastlimit.agent.observe;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * A few exact counters bumped by every request thread, each split in stripes chosen by the thread's
 * id, so that request threads running at the same time rarely write the same cache line.
 *
 * <p>Why not a {@link java.util.concurrent.atomic.LongAdder} each: an adder grows to as many cells
 * as there are CPUs and moves a thread to another cell only when their writes collide at the same
 * instant. A servlet container runs far more request threads than cores, so two threads running at
 * once often share a cell without ever colliding, and every increment then pulls the line from the
 * other core. With 8 threads on 2 cores that cost ~20% of a many-client decision's throughput
 * (bench/README.md, "Ninth round"). Here there are four stripes per CPU (8 to 64), each thread
 * keeps to its own stripe, and two threads share one only when their ids are equal modulo the
 * stripe count: threads made one after the other, as a container's pool is, spread over all of
 * them.
 *
 * <p>Each stripe holds all the counters of one owner, 128 bytes from the next stripe (two cache
 * lines: no two stripes ever share a line, and rarely a pair the adjacent-line prefetcher fetches
 * together), made on the first increment: an owner never counted costs no stripes. Increments are
 * atomic, so no count is lost when threads do share a stripe.
 */
final class StripedCounters {

  /** Longs from one stripe to the next: 128 bytes, so that no two stripes share a line. */
  private static final int STRIDE = 16;

  private static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());

  private static final AtomicReferenceFieldUpdater<StripedCounters, AtomicLongArray> CELLS =
      AtomicReferenceFieldUpdater.newUpdater(StripedCounters.class, AtomicLongArray.class, "cells");

  private final int counters;

  /** Null until the first increment; then STRIPES x STRIDE longs. */
  private volatile AtomicLongArray cells;

  /** {@code counters} counters, numbered from 0; at most {@value #STRIDE}. */
  StripedCounters(int counters) {
    if (counters < 1 || counters > STRIDE) {
      throw new IllegalArgumentException("1 to " + STRIDE + " counters per stripe");
    }
    this.counters = counters;
  }

  /** Four per CPU, a power of two from 8 to 64. */
  static int stripes(int cpus) {
    int wanted = Math.max(8, Math.min(64, 4 * cpus));
    return Integer.highestOneBit(wanted - 1) << 1;
  }

  /** Adds one to counter {@code counter}. */
  void increment(int counter) {
    AtomicLongArray stripes = cells;
    if (stripes == null) {
      stripes = made();
    }
    int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
    stripes.getAndIncrement(stripe * STRIDE + counter);
  }

  /** The sum of counter {@code counter} over the stripes: exact once increments have stopped. */
  long sum(int counter) {
    if (counter < 0 || counter >= counters) {
      throw new IndexOutOfBoundsException("counter " + counter + " of " + counters);
    }
    AtomicLongArray stripes = cells;
    if (stripes == null) {
      return 0;
    }
    long sum = 0;
    for (int i = counter; i < stripes.length(); i += STRIDE) {
      sum += stripes.get(i);
    }
    return sum;
  }

  private AtomicLongArray made() {
    AtomicLongArray fresh = new AtomicLongArray(STRIPES * STRIDE);
    // the first thread's array wins; a thread that lost the race counts in the winner's
    return CELLS.compareAndSet(this, null, fresh) ? fresh : cells;
  }
}
