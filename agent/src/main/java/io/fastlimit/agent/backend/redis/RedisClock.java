package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.MemoryBackend;
import java.util.function.LongSupplier;

/**
 * The Redis backend's time, injected (one clock for everything it times itself): production uses
 * {@link #SYSTEM}, tests a fake one, and both go through the same code.
 */
interface RedisClock {

  /**
   * This JVM's clocks; scripts decide by Redis's {@code TIME}, which every instance shares. Its
   * milliseconds never go backwards (the memory backend's clock): the on-error local counters count
   * by them, and a wall clock stepped back would hold them in a window still to come.
   */
  RedisClock SYSTEM =
      new RedisClock() {
        private final LongSupplier epochMillis = MemoryBackend.monotonicClock();

        @Override
        public long nanos() {
          return System.nanoTime();
        }

        @Override
        public long millis() {
          return epochMillis.getAsLong();
        }

        @Override
        public String scriptNow() {
          return "";
        }
      };

  /** Monotonic nanoseconds, for time elapsed here: how long a block or a failure is believed. */
  long nanos();

  /**
   * Epoch milliseconds, never going backwards: the time of on-error answers and of counters kept in
   * memory.
   */
  long millis();

  /** The scripts' now, as an argument: epoch ms, or "" for Redis's {@code TIME}. */
  String scriptNow();
}
