package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Threads charging one bucket at once, for tests that no concurrency gets past a limit. */
final class ConcurrentAcquires {

  private ConcurrentAcquires() {}

  /**
   * {@code threads} threads, released together, each acquiring {@code charge} {@code each} times:
   * how many acquisitions were admitted.
   */
  static int admitted(Backend backend, Charge charge, int threads, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> admitted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<Integer> caller =
            () -> {
              start.await();
              int in = 0;
              for (int i = 0; i < each; i++) {
                in += backend.acquire(charge).allowed() ? 1 : 0;
              }
              return in;
            };
        admitted.add(pool.submit(caller));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> one : admitted) {
        total += one.get(60, TimeUnit.SECONDS);
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
