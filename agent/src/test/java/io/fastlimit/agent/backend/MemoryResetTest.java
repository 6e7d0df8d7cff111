package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.rules.Algorithm;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Unblocking a client in memory: its bucket is forgotten, other clients' are not. */
class MemoryResetTest {

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final MemoryBackend backend = new MemoryBackend(clock::get, 1000);

  private static Charge charge(String keyStart, String client) {
    return Charges.charge(keyStart, client, 2, 3_600_000, 1, Algorithm.SLIDING_WINDOW, false);
  }

  @Test
  void aResetClientIsAdmittedAgainAndOthersStayBlocked() {
    for (int i = 0; i < 2; i++) {
      backend.acquire(charge("p:login:ip:{", "203.0.113.7"));
      backend.acquire(charge("p:login:ip:{", "203.0.113.8"));
    }
    assertThat(backend.acquire(charge("p:login:ip:{", "203.0.113.7")).allowed()).isFalse();

    assertThat(backend.reset("p:login:ip:{", "203.0.113.7")).isTrue();

    assertThat(backend.acquire(charge("p:login:ip:{", "203.0.113.7")).remaining()).isEqualTo(1);
    assertThat(backend.acquire(charge("p:login:ip:{", "203.0.113.8")).allowed()).isFalse();
    assertThat(backend.size()).isEqualTo(2);
  }

  @Test
  void resettingAClientWithoutACounterSaysSo() {
    backend.acquire(charge("p:login:ip:{", "203.0.113.7"));
    assertThat(backend.reset("p:login:ip:{", "198.51.100.1")).isFalse();
    assertThat(backend.reset("p:other:ip:{", "203.0.113.7")).isFalse();
    assertThat(backend.size()).isEqualTo(1);
  }
}
