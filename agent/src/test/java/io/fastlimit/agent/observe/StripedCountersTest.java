package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A rule's counters, striped by thread: exact, each counter on its own, bounded in stripes. */
class StripedCountersTest {

  @Test
  void fourStripesPerCpuAPowerOfTwoFromEightToSixtyFour() {
    assertThat(StripedCounters.stripes(1)).isEqualTo(8);
    assertThat(StripedCounters.stripes(2)).isEqualTo(8);
    assertThat(StripedCounters.stripes(3)).isEqualTo(16);
    assertThat(StripedCounters.stripes(4)).isEqualTo(16);
    assertThat(StripedCounters.stripes(6)).isEqualTo(32);
    assertThat(StripedCounters.stripes(16)).isEqualTo(64);
    assertThat(StripedCounters.stripes(512)).isEqualTo(64);
  }

  @Test
  void nothingCountedIsZero() {
    StripedCounters counters = new StripedCounters(3);
    assertThat(counters.sum(0)).isZero();
    assertThat(counters.sum(2)).isZero();
    assertThatThrownBy(() -> counters.sum(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  /**
   * Many more threads than stripes (so that threads share stripes, as a container's pool does), all
   * started at once, each bumping two counters: every increment is in the sums, and each counter
   * holds only its own.
   */
  @Test
  void threadsSharingStripesLoseNoCount() throws InterruptedException {
    StripedCounters counters = new StripedCounters(5);
    int threads = 3 * StripedCounters.stripes(Runtime.getRuntime().availableProcessors()) + 1;
    int each = 20_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < each; i++) {
                  counters.increment(0);
                  if (i % 4 == 0) {
                    counters.increment(4);
                  }
                }
              });
      thread.start();
      started.add(thread);
    }
    go.countDown();
    for (Thread thread : started) {
      thread.join();
    }
    assertThat(counters.sum(0)).isEqualTo((long) threads * each);
    assertThat(counters.sum(4)).isEqualTo((long) threads * each / 4);
    assertThat(counters.sum(1)).isZero();
    assertThat(counters.sum(3)).isZero();
  }

  @Test
  void aRulesCountsAreKeptApart() {
    RuleStats stats = new RuleStats("api");
    stats.allowed();
    stats.allowed();
    stats.blocked();
    stats.blocked("ip", "203.0.113.7");
    stats.wouldBlock();
    stats.backendError();
    stats.backendError();
    stats.backendError();
    stats.unreached();
    assertThat(stats.allowedCount()).isEqualTo(2);
    assertThat(stats.blockedCount()).isEqualTo(2);
    assertThat(stats.wouldBlockCount()).isEqualTo(1);
    assertThat(stats.backendErrorCount()).isEqualTo(3);
    assertThat(stats.unreachedCount()).isEqualTo(1);
  }
}
