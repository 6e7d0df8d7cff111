package io.fastlimit.agent.backend.redis;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it: the backend's time and the script's now. */
final class FakeClock implements RedisClock {

  private final AtomicLong millis;

  /** Whether the scripts take Redis's TIME, as in production, rather than this clock. */
  private final boolean redisTime;

  FakeClock(long startMillis) {
    this(startMillis, false);
  }

  private FakeClock(long startMillis, boolean redisTime) {
    this.millis = new AtomicLong(startMillis);
    this.redisTime = redisTime;
  }

  /**
   * The backend's own time moves only with the test, while the scripts (and the reset mark) take
   * Redis's TIME, as {@link RedisClock#SYSTEM}'s do.
   */
  static FakeClock withRedisTime(long startMillis) {
    return new FakeClock(startMillis, true);
  }

  /** At the start of the current hour: an hour's window does not end while a test runs. */
  static FakeClock atHourStart() {
    long now = System.currentTimeMillis();
    return new FakeClock(now - now % 3_600_000);
  }

  long get() {
    return millis.get();
  }

  void set(long newMillis) {
    millis.set(newMillis);
  }

  void advance(long byMillis) {
    millis.addAndGet(byMillis);
  }

  @Override
  public long nanos() {
    return millis.get() * 1_000_000L;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public String scriptNow() {
    return redisTime ? "" : Long.toString(millis.get());
  }
}
