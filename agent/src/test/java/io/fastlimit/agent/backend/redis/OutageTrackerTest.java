package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an outage logs: once when it starts, and once more for a misconfiguration seen in it. */
class OutageTrackerTest {

  private final CapturedLog log = new CapturedLog();

  private final OutageTracker outages =
      new OutageTracker(
          new RedisConfig(
              List.of("redis://:secret@127.0.0.1:6379"), false, 50, RedisConfig.OnError.ALLOW),
          RedisClock.SYSTEM);

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  private int errors() {
    return log.text().split("ERROR", -1).length - 1;
  }

  @Test
  void anOutageIsLoggedOnceHoweverManyFailures() {
    for (int i = 0; i < 5; i++) {
      outages.failed(new RedisConnectionException("Connection refused"));
    }
    assertThat(errors()).isEqualTo(1);
  }

  /**
   * A first attempt that failed otherwise (a connection closed early on a busy machine) used to
   * take the outage's one line: the refused password that followed was never logged, and the user
   * never read what to fix. A misconfiguration is logged once in the outage, whenever it comes.
   */
  @Test
  void aRefusedPasswordAfterTheOutageBeganIsLoggedOnce() {
    outages.failed(new RedisConnectionException("Connection closed prematurely"));
    for (int i = 0; i < 5; i++) {
      outages.failed(new RedisException("WRONGPASS invalid username-password pair"));
    }
    assertThat(errors()).isEqualTo(2);
    assertThat(log.text()).contains("Redis refused the user or password").doesNotContain("secret");
    outages.answered();
    outages.failed(new RedisException("WRONGPASS invalid username-password pair"));
    assertThat(errors()).as("a new outage").isEqualTo(3);
  }

  /**
   * A script sent before Redis failed and answered just after (another request timed out meanwhile)
   * used to end the outage, and the next failure logged it again: seen as an outage logged twice.
   * Only an answer to a request sent after the last failure ends it.
   */
  @Test
  void anAnswerToARequestSentBeforeTheFailureEndsNoOutage() {
    FakeClock clock = new FakeClock(1_000);
    OutageTracker tracker =
        new OutageTracker(
            new RedisConfig(
                List.of("redis://127.0.0.1:6379"), false, 50, RedisConfig.OnError.ALLOW),
            clock);
    long sentBefore = clock.nanos();
    clock.advance(50);
    tracker.failed(new RedisException("Command timed out"));
    tracker.partFailed("");
    clock.advance(10);
    tracker.partAnswered("", sentBefore);
    tracker.answered(sentBefore);
    assertThat(tracker.failing("")).as("a straggler does not clear the part").isTrue();
    tracker.failed(new RedisException("Command timed out"));
    assertThat(errors()).as("still the same outage").isEqualTo(1);
    assertThat(log.text()).doesNotContain("Redis answers again; limits are shared");
    long sentAfter = clock.nanos();
    clock.advance(1);
    tracker.partAnswered("", sentAfter);
    tracker.answered(sentAfter);
    assertThat(tracker.failing("")).isFalse();
    assertThat(log.text()).contains("Redis answers again; limits are shared");
    tracker.failed(new RedisException("Command timed out"));
    assertThat(errors()).as("a new outage").isEqualTo(2);
  }
}
