package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.api.StatefulConnection;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Only an answer to a script sent after Redis last failed ends an outage or clears a failing part
 * (a straggler says nothing about Redis now). A request's time was read when it began, though, not
 * when its script was sent: a request that began before the last probe failed and then became the
 * probe itself (its thread descheduled in between, on a loaded machine) was answered by Redis, yet
 * counted as a straggler, and neither cleared the part nor ended the outage.
 */
class ProbeSentTimeTest {

  /** This JVM's clock, which holds one chosen thread right after its next reading. */
  private static final class HoldingClock implements RedisClock {
    volatile Thread holding;
    final CountDownLatch read = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public long nanos() {
      long now = System.nanoTime();
      if (Thread.currentThread() == holding) {
        holding = null;
        read.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return now;
    }

    @Override
    public long millis() {
      return RedisClock.SYSTEM.millis();
    }

    @Override
    public String scriptNow() {
      return "";
    }
  }

  @Test
  void aProbeSentAfterTheLastFailureEndsTheOutage() throws Exception {
    CapturedLog log = new CapturedLog();
    log.start();
    HoldingClock clock = new HoldingClock();
    Charge[] charges = {
      Charges.charge("probe-sent:{client}", 1_000_000, 3_600_000, 1, Algorithm.FIXED_WINDOW, false)
    };
    RedisServer own = RedisServer.start();
    ExecutorService other = Executors.newSingleThreadExecutor();
    // a timeout no answer outlasts: the failures here are a killed Redis's, at once
    try (RedisBackend backend =
        RedisBackend.connect(
            new RedisConfig(List.of(own.uri()), false, 30_000, RedisConfig.OnError.DENY),
            clock,
            new BlockedCache(0))) {
      RedisBackendTest.awaitConnected(backend);
      own.kill();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (backend.acquire(charges)[0].allowed()) {
        assertThat(System.nanoTime()).as("the kill seen within 15 s").isLessThan(deadline);
        RedisServer.sleep(10);
      }
      // a request begins (reads its time), and its thread is held there
      Future<Outcome[]> held =
          other.submit(
              () -> {
                clock.holding = Thread.currentThread();
                return backend.acquire(charges);
              });
      assertThat(clock.read.await(15, TimeUnit.SECONDS)).isTrue();
      // meanwhile Redis fails again: another request, the probe, fails at once
      assertThat(backend.acquire(charges)[0].allowed()).as("the probe while killed").isFalse();
      own.restart();
      awaitReconnected(backend);
      // the held request goes on, is the probe now, and its script is answered by Redis
      clock.release.countDown();
      assertThat(held.get(30, TimeUnit.SECONDS)[0].allowed()).as("answered by Redis").isTrue();
    } finally {
      clock.release.countDown();
      other.shutdownNow();
      own.close();
      log.stop();
    }
    assertThat(log.text())
        .as("a script sent after the last failure was answered")
        .contains("Redis answers again; limits are shared again");
  }

  /** Waits until Lettuce has reconnected the backend's connection, sending nothing through it. */
  private static void awaitReconnected(RedisBackend backend) throws Exception {
    Field field = RedisBackend.class.getDeclaredField("link");
    field.setAccessible(true);
    RedisLink link = (RedisLink) field.get(backend);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    StatefulConnection<String, String> connection = link.connection();
    while (!connection.isOpen()) {
      assertThat(System.nanoTime()).as("reconnected within 15 s").isLessThan(deadline);
      RedisServer.sleep(10);
    }
  }
}
