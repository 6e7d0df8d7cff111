package io.fastlimit.agent.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The advice's view of the bridge while an agent started at launch still loads its rules. */
class FirstRulesWaitTest {

  private final RateLimitBridge before = BridgeHolder.get();

  @AfterEach
  void restore() {
    BridgeHolder.loaded();
    BridgeHolder.set(before);
  }

  @Test
  void aRequestBeforeTheFirstRulesWaitsForThem() throws Exception {
    BridgeHolder.set(null);
    BridgeHolder.loading();
    RateLimitBridge loaded = bridge();
    CompletableFuture<RateLimitBridge> seen = new CompletableFuture<>();
    Thread request = new Thread(() -> seen.complete(BridgeHolder.get()), "early-request");
    request.start();
    awaitWaiting(request);

    assertThat(seen).isNotDone();
    BridgeHolder.set(loaded);
    BridgeHolder.loaded();

    assertThat(seen.get(60, TimeUnit.SECONDS)).isSameAs(loaded);
  }

  @Test
  void afterAFirstLoadThatSetNoRulesRequestsGoOnUnlimited() throws Exception {
    BridgeHolder.set(null);
    BridgeHolder.loading();
    BridgeHolder.loaded();

    CompletableFuture<RateLimitBridge> seen = new CompletableFuture<>();
    new Thread(() -> seen.complete(BridgeHolder.get()), "later-request").start();

    assertThat(seen.get(60, TimeUnit.SECONDS)).isNull();
  }

  static void awaitWaiting(Thread thread) throws InterruptedException {
    while (thread.getState() != Thread.State.TIMED_WAITING
        && thread.getState() != Thread.State.WAITING) {
      assertThat(thread.isAlive()).as("still waiting").isTrue();
      Thread.sleep(1);
    }
  }

  private static RateLimitBridge bridge() {
    return (RateLimitBridge)
        Proxy.newProxyInstance(
            FirstRulesWaitTest.class.getClassLoader(),
            new Class<?>[] {RateLimitBridge.class},
            (proxy, method, arguments) -> null);
  }
}
