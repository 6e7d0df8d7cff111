package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MemoryBoundTest {

  private static final long NOW = 1_700_000_000_000L;

  @Test
  void withoutASweepNewBucketsStopAtTheCeiling() {
    MemoryBound bound = new MemoryBound(16); // ceiling 18

    int added = 0;
    for (int i = 0; i < 100; i++) {
      if (bound.tryAdd(NOW)) {
        added++;
      }
    }

    assertThat(added).isEqualTo(18);
    assertThat(bound.size()).isEqualTo(18);
    assertThat(bound.newClientsRefused()).isEqualTo(82);
  }

  /**
   * Threads that find room at once must not all take it: the check and the count are one step. Each
   * round starts a fresh bound of one bucket (ceiling two) and lets four threads add at the same
   * instant; a check apart from the count lets three or four through in some round.
   */
  @Test
  void threadsAddingAtOnceNeverPassTheCeiling() throws Exception {
    int threads = 4;
    int rounds = 3_000;
    AtomicReference<MemoryBound> current = new AtomicReference<>();
    List<Integer> sizesOverTheCeiling = new ArrayList<>();
    CyclicBarrier start = new CyclicBarrier(threads, () -> current.set(new MemoryBound(1)));
    CyclicBarrier end =
        new CyclicBarrier(
            threads,
            () -> {
              MemoryBound bound = current.get();
              if (bound.size() > 2 || bound.size() + bound.newClientsRefused() != threads) {
                sizesOverTheCeiling.add(bound.size());
              }
            });
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  for (int r = 0; r < rounds; r++) {
                    start.await(1, TimeUnit.MINUTES);
                    current.get().tryAdd(NOW);
                    end.await(1, TimeUnit.MINUTES);
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.MINUTES.toMillis(5));
    }

    assertThat(failure.get()).isNull();
    assertThat(sizesOverTheCeiling).isEmpty();
  }
}
