package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryInFlightSlotsTest {

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final MemoryInFlightSlots slots = new MemoryInFlightSlots(clock::get, 10_000);

  @Test
  void takesAtMostTheLimitAndAReleasedSlotIsFreeAgain() {
    String a = slots.tryAcquire("k", 2);
    String b = slots.tryAcquire("k", 2);

    assertThat(a).isNotNull().isNotEqualTo(b);
    assertThat(b).isNotNull();
    assertThat(slots.tryAcquire("k", 2)).isNull();
    assertThat(slots.tryAcquire("other", 2)).isNotNull();

    slots.release("k", a);
    slots.release("k", a); // again: nothing more is freed
    assertThat(slots.tryAcquire("k", 2)).as("one slot free, b still held").isNotNull();
    assertThat(slots.tryAcquire("k", 2)).isNull();
  }

  @Test
  void everyBackendButRedisKeepsItsSlotsInMemory() {
    assertThat(InFlightSlots.forBackend(new MemoryBackend()))
        .isInstanceOf(MemoryInFlightSlots.class);
  }

  @Test
  void anExpiredLeaseFreesItsSlotAndEmptyKeysAreDropped() {
    String lease = slots.tryAcquire("k", 1);
    clock.addAndGet(10_001);

    String next = slots.tryAcquire("k", 1);
    assertThat(next).as("the expired lease freed its slot").isNotNull();
    slots.release("k", lease); // the expired one: the new lease stays
    assertThat(slots.tryAcquire("k", 1)).as("the new lease holds the slot").isNull();
    slots.release("k", next);
    assertThat(slots.keys()).as("a key left without leases is dropped").isZero();
  }

  @Test
  void keysLeftWithExpiredLeasesAreSweptAway() {
    for (int i = 0; i < 100; i++) {
      slots.tryAcquire("leaked-" + i, 1);
    }
    clock.addAndGet(10_001);
    for (int i = 0; i < MemoryInFlightSlots.SWEEP_EVERY; i++) {
      slots.release("k", slots.tryAcquire("k", 1));
    }
    assertThat(slots.keys()).isZero();
  }

  @Test
  void concurrentRequestsNeverHoldMoreThanTheLimit() throws Exception {
    int threads = 8;
    int limit = 3;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong held = new AtomicLong();
    AtomicLong most = new AtomicLong();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                  String lease = slots.tryAcquire("k", limit);
                  if (lease != null) {
                    long now = held.incrementAndGet();
                    most.accumulateAndGet(now, Math::max);
                    held.decrementAndGet();
                    slots.release("k", lease);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(most.get()).isLessThanOrEqualTo(limit);
    assertThat(slots.keys()).isZero();
  }
}
