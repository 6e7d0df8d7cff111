package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.rules.Algorithm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * An operator's reset and a give-back of a charge from before it, on two threads. The reset used to
 * forget the counts under the bucket's lock and record its time after releasing it: two requests
 * and the give-back that came in between took the old charge from the counts begun after the reset,
 * and the client had its limit plus one.
 */
class ResetGiveBackRaceTest {

  private static final long MINUTE = 60_000;
  private static final long BASE = 1_700_000_040_000L - 1_700_000_040_000L % MINUTE + 1_000;

  @Test
  void aGiveBackRacingTheResetNeverTakesFromTheCountsAfterIt() throws Exception {
    AtomicLong time = new AtomicLong(BASE);
    AtomicReference<Runnable> onResetClockRead = new AtomicReference<>();
    ThreadLocal<Boolean> resetting = ThreadLocal.withInitial(() -> false);
    LongSupplier clock =
        () -> {
          Runnable meanwhile = onResetClockRead.get();
          if (resetting.get()
              && meanwhile != null
              && onResetClockRead.compareAndSet(meanwhile, null)) {
            meanwhile.run(); // the reset's time is being taken: others act now
          }
          return time.get();
        };
    MemoryBackend backend = new MemoryBackend(clock, 10_000);
    Charge charge =
        Charges.charge("p:r:ip:{", "203.0.113.7", 2, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
    Outcome a = backend.acquire(charge); // A: count: failures, still running
    assertThat(a.allowed()).isTrue();
    time.addAndGet(1);

    // while the reset takes its time: two new requests, then A ends in success and is given back;
    // waited for a moment only, as they may have to wait for the reset to finish
    CompletableFuture<Void> others = new CompletableFuture<>();
    onResetClockRead.set(
        () -> {
          CompletableFuture.runAsync(
                  () -> {
                    backend.acquire(charge);
                    backend.acquire(charge);
                    backend.giveBack(new Charge[] {charge}, new long[] {a.decidedAtMillis()});
                  })
              .whenComplete((done, failure) -> others.complete(null));
          try {
            others.get(1, TimeUnit.SECONDS);
          } catch (TimeoutException stillWaitingForTheReset) {
            // the reset holds the bucket: they go on when it is done
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    CompletableFuture<Boolean> reset =
        CompletableFuture.supplyAsync(
            () -> {
              resetting.set(true);
              return backend.reset(charge.keyStart(), charge.client());
            });
    assertThat(reset.get(10, TimeUnit.SECONDS)).isTrue();
    others.get(10, TimeUnit.SECONDS);
    assertThat(backend.acquire(charge).allowed())
        .as("a third request after the reset, limit 2 a minute")
        .isFalse();
  }
}
