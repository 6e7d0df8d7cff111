package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.OffLoopDecision;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event loop whose request the agent's saturated decision workers turned down decides in place;
 * there the Redis backend must not wait for Redis at all, however healthy, but answer by its {@code
 * on-error} policy (here deny), so the event loop never waits; for that one decision only. Once the
 * workers take requests again, their decisions ask Redis as usual.
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
  void aDecisionTheSaturatedWorkersTurnedDownAnswersByOnErrorWithoutAskingRedis()
      throws InterruptedException {
    Charge[] roomy = {
      Charges.charge("saturated:{client}", 1_000_000, 3_600_000, 1, Algorithm.FIXED_WINDOW, false)
    };
    assertThat(backend.acquire(roomy)[0].allowed()).as("Redis answers").isTrue();

    CountDownLatch release = new CountDownLatch(1);
    // every worker holds a request before the queue is filled: a worker still waking up (one an
    // earlier test left idle) that took a queued request after the queue was found full left room
    // for the next one (seen on a loaded CI machine). The pool's size, as OffLoopDecision sizes it
    int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    CountDownLatch busy = new CountDownLatch(workers);
    ActiveRules held = new HeldRules(release, busy);
    try {
      for (int i = 0; i < workers; i++) {
        assertThat(decideOrSubmit(held)).isSameAs(OffLoopDecision.SUBMITTED);
      }
      assertThat(busy.await(60, TimeUnit.SECONDS)).as("every worker holds a request").isTrue();
      boolean taken = true;
      for (int i = 0; taken && i < 20_000; i++) {
        taken = decideOrSubmit(held) == OffLoopDecision.SUBMITTED;
      }
      assertThat(taken).as("the workers' queue fills up").isFalse();

      AskingRules asking = new AskingRules(roomy);
      assertThat(decideOrSubmit(asking)).as("decided in place, no rule applies").isNull();
      assertThat(asking.mustNotWait).isTrue();
      assertThat(asking.allowed).as("on-error deny, without waiting for Redis").isFalse();
      assertThat(asking.slot)
          .as("an in-flight slot is not waited for either: on-error deny takes none")
          .isNull();
      assertThat(OffLoopDecision.mustNotWait()).as("only while that decision is made").isFalse();
      assertThat(backend.acquire(roomy)[0].allowed())
          .as("the event loop's next charge of its own asks Redis")
          .isTrue();
    } finally {
      release.countDown();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (decideOrSubmit(held) != OffLoopDecision.SUBMITTED) { // the workers drain the queue
      assertThat(System.nanoTime()).as("the workers drain their queue").isLessThan(deadline);
      RedisServer.sleep(10);
    }
    AskingRules asking = new AskingRules(roomy);
    assertThat(decideOrSubmit(asking)).isSameAs(OffLoopDecision.SUBMITTED);
    while (asking.allowed == null) {
      assertThat(System.nanoTime()).as("a worker decides").isLessThan(deadline);
      RedisServer.sleep(10);
    }
    assertThat(asking.mustNotWait).isFalse();
    assertThat(asking.allowed).as("Redis is asked again").isTrue();
  }

  private static Object decideOrSubmit(ActiveRules rules) {
    return OffLoopDecision.decideOrSubmit(
        rules,
        "GET",
        "/api/x",
        "192.0.2.1",
        null,
        null,
        DROPPED,
        new Object(),
        "toString",
        null,
        null);
  }

  /** Rules whose decision may wait, and whose decision charges the backend as the limiter does. */
  private static final class AskingRules extends DecidingRules {
    private final Charge[] charges;
    volatile boolean mustNotWait;
    volatile String slot;
    volatile Boolean allowed;

    AskingRules(Charge[] charges) {
      this.charges = charges;
    }

    @Override
    void decide() {
      mustNotWait = OffLoopDecision.mustNotWait();
      slot = RedisInFlightSlots.of(backend).tryAcquire("saturated-slots:{client}", 100);
      allowed = backend.acquire(charges)[0].allowed();
    }
  }
}
