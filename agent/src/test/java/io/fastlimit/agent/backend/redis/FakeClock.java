package io.fastlimit.agent.backend.redis;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it: the backend's time and the script's now. */
final class FakeClock implements RedisClock {

  private final AtomicLong millis;

  FakeClock(long startMillis) {
    this.millis = new AtomicLong(startMillis);
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
    return Long.toString(millis.get());
  }
}
