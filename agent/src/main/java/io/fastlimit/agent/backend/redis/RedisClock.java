package io.fastlimit.agent.backend.redis;

/**
 * The Redis backend's time, injected (one clock for everything it times itself): production uses
 * {@link #SYSTEM}, tests a fake one, and both go through the same code.
 */
interface RedisClock {

  /** This JVM's clocks; scripts decide by Redis's {@code TIME}, which every instance shares. */
  RedisClock SYSTEM =
      new RedisClock() {
        @Override
        public long nanos() {
          return System.nanoTime();
        }

        @Override
        public long millis() {
          return System.currentTimeMillis();
        }

        @Override
        public String scriptNow() {
          return "";
        }
      };

  /** Monotonic nanoseconds, for time elapsed here: how long a block or a failure is believed. */
  long nanos();

  /** Epoch milliseconds: the time of on-error answers and of counters kept in memory. */
  long millis();

  /** The scripts' now, as an argument: epoch ms, or "" for Redis's {@code TIME}. */
  String scriptNow();
}
