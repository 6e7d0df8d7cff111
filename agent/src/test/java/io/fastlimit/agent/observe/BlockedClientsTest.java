package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Who a rule blocks most: bounded, by minute, a heavy hitter never pushed out. */
class BlockedClientsTest {

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L - 1_700_000_000_000L % 60_000);
  private final BlockedClients blocked = new BlockedClients(clock::get);

  private static String shown(List<BlockedClients.Entry> entries) {
    StringBuilder out = new StringBuilder();
    for (BlockedClients.Entry entry : entries) {
      out.append(entry.kind())
          .append(' ')
          .append(entry.client())
          .append('=')
          .append(entry.count())
          .append(';');
    }
    return out.toString();
  }

  @Test
  void theClientsBlockedMostComeFirstWithTheirCounts() {
    for (int i = 0; i < 5; i++) {
      blocked.blocked("ip", "203.0.113.7");
    }
    for (int i = 0; i < 3; i++) {
      blocked.blocked("user", "alice");
    }
    blocked.blocked("ip", "198.51.100.1");
    assertThat(shown(blocked.top(2, 5))).isEqualTo("ip 203.0.113.7=5;user alice=3;");
    assertThat(blocked.top(10, 5)).hasSize(3);
  }

  @Test
  void aFloodOfDistinctClientsNeitherGrowsItNorPushesOutTheHeaviest() {
    for (int i = 0; i < 100_000; i++) {
      blocked.blocked("ip", "10.0." + (i >> 8 & 255) + "." + (i & 255));
      // one blocked request in ten: more than 1/CAPACITY of them
      if (i % 10 == 0) {
        blocked.blocked("ip", "203.0.113.7");
      }
    }
    List<BlockedClients.Entry> top = blocked.top(1000, 5);
    assertThat(top.size()).isLessThanOrEqualTo(BlockedClients.CAPACITY * 4);
    assertThat(top.get(0).client()).isEqualTo("203.0.113.7");
    assertThat(top.get(0).count()).isBetween(9_000L, 10_000L);
    assertThat(top.get(1).count()).as("a one-off client counts little").isLessThan(10);
  }

  @Test
  void onlyTheLastMinutesAsked() {
    blocked.blocked("ip", "203.0.113.7");
    clock.addAndGet(2 * 60_000);
    blocked.blocked("ip", "198.51.100.1");
    assertThat(shown(blocked.top(10, 1))).isEqualTo("ip 198.51.100.1=1;");
    assertThat(blocked.top(10, 3)).hasSize(2);
    clock.addAndGet(BlockedClients.MINUTES * 60_000L);
    assertThat(blocked.top(10, BlockedClients.MINUTES)).isEmpty();
    blocked.blocked("ip", "192.0.2.1");
    assertThat(shown(blocked.top(10, 5))).isEqualTo("ip 192.0.2.1=1;");
  }
}
