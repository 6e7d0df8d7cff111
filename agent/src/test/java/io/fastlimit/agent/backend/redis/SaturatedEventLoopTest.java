package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event loop whose request the agent's saturated decision workers turned down decides in place;
 * there the Redis backend must not wait for Redis at all, however healthy, but answer by its {@code
 * on-error} policy (here deny), so the event loop never waits. Once the workers take a request
 * again, the same thread waits for Redis as usual.
 */
class SaturatedEventLoopTest {

  private static final Executor DROPPED = task -> {};

  private static RedisServer server;
  private static RedisBackend backend;

  @BeforeAll
  static void start() throws Exception {
    server = RedisServer.start();
    backend = RedisBackendTest.connect(server, RedisConfig.OnError.DENY, 5_000);
    RedisBackendTest.awaitConnected(backend);
  }

  @AfterAll
  static void stop() throws Exception {
    backend.close();
    server.close();
  }

  @Test
  void aDecisionTheSaturatedWorkersTurnedDownAnswersByOnErrorWithoutAskingRedis() {
    Charge[] roomy = {
      Charges.charge("saturated:{client}", 1_000_000, 3_600_000, 1, Algorithm.FIXED_WINDOW, false)
    };
    assertThat(backend.acquire(roomy)[0].allowed()).as("Redis answers").isTrue();

    CountDownLatch release = new CountDownLatch(1);
    ActiveRules held = new HeldRules(release);
    try {
      boolean taken = true;
      for (int i = 0; taken && i < 20_000; i++) {
        taken = submit(held);
      }
      assertThat(taken).as("the workers' queue fills up").isFalse();
      assertThat(OffLoopDecision.mustNotWait()).isTrue();
      assertThat(backend.acquire(roomy)[0].allowed())
          .as("on-error deny, without waiting for Redis")
          .isFalse();
      assertThat(RedisInFlightSlots.of(backend).tryAcquire("saturated-slots:{client}", 100))
          .as("an in-flight slot is not waited for either: on-error deny takes none")
          .isNull();
    } finally {
      release.countDown();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!submit(held)) { // the workers drain what was queued
      assertThat(System.nanoTime()).as("the workers drain their queue").isLessThan(deadline);
      RedisServer.sleep(10);
    }
    assertThat(OffLoopDecision.mustNotWait()).isFalse();
    assertThat(backend.acquire(roomy)[0].allowed()).as("Redis is asked again").isTrue();
  }

  private static boolean submit(ActiveRules rules) {
    return OffLoopDecision.submit(
        rules, "GET", "/api/x", "192.0.2.1", null, null, DROPPED, new Object(), "toString");
  }

  /** Rules whose decision waits until the test releases it, keeping the workers busy. */
  private static final class HeldRules extends ActiveRules {
    private final CountDownLatch release;

    HeldRules(CountDownLatch release) {
      super(false, null, false, null);
      this.release = release;
    }

    @Override
    public Verdict decide(
        Stage stage,
        String method,
        String contextPath,
        String servletPath,
        String pathInfo,
        String peerAddress,
        String forwardedFor,
        String userId,
        Object request) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }

    @Override
    public void blockedOnCommittedResponse(
        Stage stage, String method, String contextPath, String servletPath, String pathInfo) {}
  }
}
