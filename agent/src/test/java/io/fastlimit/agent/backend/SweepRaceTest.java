package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.rules.Algorithm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * A sweep drops a bucket as idle by its own (later) clock while a request that read the clock
 * before the bucket's window ended has not reached it yet. Before the sweep's time was a floor for
 * later decisions, the request made a fresh bucket and counted in the ended window, whose counts
 * the sweep had just dropped, and the next window started at 0 as if the request had never come.
 */
class SweepRaceTest {

  private static final long MINUTE = 60_000;
  private static final long BASE = 1_700_000_040_000L - 1_700_000_040_000L % MINUTE;

  @Test
  void aRequestTimedBeforeASweepNeverCountsInAWindowTheSweepDropped() throws Exception {
    AtomicLong time = new AtomicLong(BASE + MINUTE - 1); // the last ms of window W1
    CountDownLatch staleRead = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    ThreadLocal<Boolean> pauseAfterRead = ThreadLocal.withInitial(() -> false);
    LongSupplier clock =
        () -> {
          long now = time.get();
          if (pauseAfterRead.get()) { // this thread read the clock; it reaches the lock later
            pauseAfterRead.set(false);
            staleRead.countDown();
            try {
              goOn.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          return now;
        };
    MemoryBackend backend = new MemoryBackend(clock, 2); // the second client makes a sweep due
    Charge a =
        Charges.charge("p:r:ip:{", "203.0.113.7", 3, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
    Charge b =
        Charges.charge("p:r:ip:{", "203.0.113.8", 3, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
    for (int i = 0; i < 3; i++) {
      assertThat(backend.acquire(a).allowed()).isTrue(); // W1 used up
    }
    CompletableFuture<Outcome> x =
        CompletableFuture.supplyAsync(
            () -> {
              pauseAfterRead.set(true);
              return backend.acquire(a); // X: reads W1's last ms, then stalls before the lock
            });
    assertThat(staleRead.await(10, TimeUnit.SECONDS)).isTrue();
    time.set(BASE + MINUTE); // W2 starts
    backend.acquire(b); // at the bound: this thread sweeps; a's bucket is full again by W2's clock
    goOn.countDown();
    int admitted = x.get(10, TimeUnit.SECONDS).allowed() ? 1 : 0;
    for (int i = 0; i < 5; i++) {
      admitted += backend.acquire(a).allowed() ? 1 : 0;
    }
    // X, if admitted, is the 4th request of W1 or (since 0678e34) the 1st of W2: W1 and W2 hold
    // at most 2 x 3 = 6 of a's requests, 3 of them W1's already
    assertThat(admitted).as("X and W2's requests of a").isLessThanOrEqualTo(3);
  }
}
