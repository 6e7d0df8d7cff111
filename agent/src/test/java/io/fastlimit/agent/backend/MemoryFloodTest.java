package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.rules.Algorithm;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A flood of distinct clients cannot grow the memory backend past its bound. */
class MemoryFloodTest {

  @Test
  void tenMillionDistinctKeysStayWithinTheBound() {
    AtomicLong clock = new AtomicLong(1_000_000);
    int maxKeys = 20_000;
    MemoryBackend backend = new MemoryBackend(clock::get, maxKeys);
    int largest = 0;
    for (int i = 0; i < 10_000_000; i++) {
      Charge charge =
          Charges.charge(
              "fastlimit:api:ip:{",
              Integer.toString(i),
              10,
              60_000,
              1,
              Algorithm.SLIDING_WINDOW,
              false);
      assertThat(backend.acquire(new Charge[] {charge})[0].allowed()).isTrue();
      if ((i & 0xffff) == 0) {
        largest = Math.max(largest, backend.size());
        clock.addAndGet(1); // time moves, but every bucket stays live within the window
      }
    }
    largest = Math.max(largest, backend.size());
    assertThat(largest).isLessThanOrEqualTo(maxKeys + 1);
  }
}
