package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Undertow's front door marks each exchange it decided with one AttachmentKey, made by the first
 * request: however many first requests arrive at once, every exchange is marked with the key the
 * next dispatch of it will look for, so none is decided twice.
 */
class UndertowFrontDoorKeyTest {

  private static final int FIRST_REQUESTS = 4;

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  @Test
  void concurrentFirstRequestsAllUseTheOneKeyKept() throws Exception {
    installBridge();
    Field kept = FrontDoor.class.getDeclaredField("undertowDecidedKey");
    kept.setAccessible(true);
    for (int round = 0; round < 500; round++) {
      kept.set(null, null); // as before the first request
      HttpServerExchange[] exchanges = new HttpServerExchange[FIRST_REQUESTS];
      CyclicBarrier together = new CyclicBarrier(FIRST_REQUESTS);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < FIRST_REQUESTS; i++) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchanges[i] = exchange;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    together.await();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  UndertowFrontDoorAdvice.enter(null, exchange);
                });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      @SuppressWarnings("unchecked")
      AttachmentKey<Object> key = (AttachmentKey<Object>) FrontDoor.undertowDecidedKey();
      for (int i = 0; i < FIRST_REQUESTS; i++) {
        assertThat(exchanges[i].getAttachment(key))
            .as("round %d: exchange %d marked with the key kept", round, i)
            .isNotNull();
      }
    }
  }

  @Test
  void aKeyOfferedWhenOneIsKeptGivesTheOneKept() throws Exception {
    Field kept = FrontDoor.class.getDeclaredField("undertowDecidedKey");
    kept.setAccessible(true);
    kept.set(null, null);
    Object first = AttachmentKey.create(Object.class);
    Object second = AttachmentKey.create(Object.class);

    assertThat(FrontDoor.undertowDecidedKey(first)).isSameAs(first);
    assertThat(FrontDoor.undertowDecidedKey(second)).isSameAs(first);
    assertThat(FrontDoor.undertowDecidedKey()).isSameAs(first);
  }

  private static void installBridge() {
    ActiveRules rules =
        new ActiveRules(false, null, false, null) {
          @Override
          public boolean anyAtContainer() {
            return true;
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
            return null; // admitted without headers: the mark is what this test reads
          }

          @Override
          public void blockedOnCommittedResponse(
              Stage stage,
              String method,
              String contextPath,
              String servletPath,
              String pathInfo) {}
        };
    BridgeHolder.set(
        new RateLimitBridge() {
          @Override
          public ActiveRules rules() {
            return rules;
          }

          @Override
          public void answeredInFilter(
              String method, String contextPath, String servletPath, String pathInfo, String f) {}

          @Override
          public void completed(Verdict done, int status, String location, String forwardPath) {}

          @Override
          public void failed(
              Throwable failure) {} // an exchange without a connection: after the mark
        });
  }
}
