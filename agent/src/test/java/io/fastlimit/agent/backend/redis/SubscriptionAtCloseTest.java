package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A link closed while its connection opened (a backend replaced on reload, closed at once by a
 * test) used to warn that it cannot listen to the reset channel: its own close refused the
 * subscription it was opening, which says nothing wrong about Redis, and a warning the user cannot
 * act on teaches them to ignore the ones they can.
 */
class SubscriptionAtCloseTest {

  @Test
  void aSubscriptionRefusedByTheLinksOwnCloseIsNotWarned() throws Exception {
    CapturedLog log = new CapturedLog();
    log.start();
    try (RedisServer server = RedisServer.start()) {
      AtomicReference<RedisLink> link = new AtomicReference<>();
      AtomicReference<Thread> closer = new AtomicReference<>();
      CountDownLatch connected = new CountDownLatch(1);
      link.set(
          new RedisLink(
              new RedisConfig(List.of(server.uri()), false, 2_000, RedisConfig.OnError.DENY),
              new RedisLink.Listener() {
                @Override
                public void connectFailed(Throwable failure) {}

                @Override
                public void connected() {
                  // closed between the connection opening and the subscription being asked for
                  Thread closing = new Thread(() -> link.get().close(), "closer");
                  closer.set(closing);
                  closing.start();
                  while (!link.get().closed()) {
                    Thread.yield();
                  }
                  connected.countDown();
                }
              }));
      link.get().subscribe(RedisReset.CHANNEL, message -> {});
      link.get().start();
      assertThat(connected.await(30, TimeUnit.SECONDS)).as("connected").isTrue();
      closer.get().join(30_000);
      assertThat(closer.get().isAlive()).as("closed").isFalse();
      RedisServer.sleep(200); // a refused subscription is told on a Lettuce thread, if at all
    } finally {
      log.stop();
    }
    assertThat(log.text()).doesNotContain("cannot listen");
  }
}
