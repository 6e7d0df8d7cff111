package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerState;

/**
 * The Reactor Netty advice called directly, as Byte Buddy inlines it, with Reactor Netty's request
 * operations faked over an embedded Netty channel: what it decides on, the headers it sets on an
 * admitted request, and the one report of how a request awaiting completion ended.
 */
class ReactorNettyAdviceTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final List<String> decided = new ArrayList<>();
  private final List<String> decidedOn = new ArrayList<>();
  private final List<String> completed = new ArrayList<>();
  private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
  private final Handle handle = new Handle();
  private Verdict verdict;
  private boolean decisionMayWait;

  @BeforeEach
  void installBridge() {
    ActiveRules rules =
        new ActiveRules(false, null, false, "X-Forwarded-For") {
          @Override
          public Verdict decide(
              Stage stage,
              String method,
              String contextPath,
              String servletPath,
              String pathInfo,
              String peer,
              String forwardedFor,
              String userId,
              Object request) {
            decided.add(stage + " " + method + " " + servletPath + " | " + forwardedFor);
            decidedOn.add(Thread.currentThread().getName());
            assertThat(request).isInstanceOf(HttpServerRequest.class);
            return verdict;
          }

          @Override
          public boolean decisionMayWait() {
            return decisionMayWait;
          }

          @Override
          public void blockedOnCommittedResponse(
              Stage stage, String method, String context, String servlet, String info) {}
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
          public void completed(Verdict done, int status, String location, String forwardPath) {
            completed.add((done == verdict) + " " + status + " " + location);
          }

          @Override
          public void failed(Throwable failure) {
            throw new AssertionError(failure);
          }
        });
  }

  @AfterEach
  void removeBridge() {
    BridgeHolder.set(null);
    channel.finishAndReleaseAll();
  }

  /** Reactor Netty's HttpServerHandle with the advice inlined: the handler runs unless skipped. */
  final class Handle {
    final List<String> handled = new ArrayList<>();

    public void onStateChange(Connection connection, ConnectionObserver.State state) {
      if (!ReactorNettyRequestAdvice.enter(this, "onStateChange", connection, state)) {
        handled.add(Thread.currentThread().getName());
      }
    }
  }

  /** What Reactor Netty's HttpServerOperations is to the advice: request, response, connection. */
  interface Operations extends Connection, HttpServerRequest, HttpServerResponse {
    @Override
    Operations withConnection(Consumer<? super Connection> withConnection);
  }

  private Object operations(String uri) {
    HttpHeaders requestHeaders =
        new DefaultHttpHeaders()
            .add("X-Forwarded-For", "203.0.113.9")
            .add("X-Forwarded-For", "10.0.0.1");
    return Proxy.newProxyInstance(
        getClass().getClassLoader(),
        new Class<?>[] {Operations.class},
        (proxy, method, args) ->
            switch (method.getName()) {
              case "channel" -> channel;
              case "method" -> HttpMethod.GET;
              case "uri" -> uri;
              case "requestHeaders" -> requestHeaders;
              case "responseHeaders" -> responseHeaders;
              case "header" -> {
                responseHeaders.set((CharSequence) args[0], args[1]);
                yield proxy;
              }
              case "hasSentHeaders" -> true;
              case "status" -> HttpResponseStatus.FOUND;
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> throw new AssertionError("the advice must not call " + method.getName());
            });
  }

  @Test
  void admittedRequestIsDecidedOnItsDecodedPathAndGetsTheHeaders() {
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Remaining"}, new String[] {"4"});
    Connection operations = (Connection) operations("/api;v=1/%73ecret?x=1");

    boolean skipped =
        ReactorNettyRequestAdvice.enter(
            handle, "onStateChange", operations, HttpServerState.REQUEST_RECEIVED);

    assertThat(skipped).isFalse();
    assertThat(decided).containsExactly("SERVLET_ALONE GET /api/secret | 203.0.113.9,10.0.0.1");
    assertThat(responseHeaders.get("X-RateLimit-Remaining")).isEqualTo("4");
  }

  @Test
  void otherStatesOfTheConnectionDecideNothing() {
    verdict = Verdict.allowed(new String[0], new String[0]);
    Connection operations = (Connection) operations("/api/x");

    assertThat(
            ReactorNettyRequestAdvice.enter(
                handle, "onStateChange", operations, ConnectionObserver.State.CONFIGURED))
        .isFalse();
    assertThat(
            ReactorNettyRequestAdvice.enter(
                handle, "onStateChange", operations, HttpServerState.REQUEST_DECODING_FAILED))
        .isFalse();
    assertThat(decided).isEmpty();
  }

  @Test
  void aRequestAwaitingCompletionIsReportedOnceWhenItsOperationsEnd() {
    verdict = Verdict.allowedPending(new String[0], new String[0], "slot");
    Object first = operations("/login");
    ReactorNettyRequestAdvice.enter(
        handle, "onStateChange", (Connection) first, HttpServerState.REQUEST_RECEIVED);
    responseHeaders.set("Location", "/home");

    // the next request's operations on this kept-alive channel end first: not this verdict's
    ReactorNettyCompletionAdvice.enter(operations("/other"));
    assertThat(completed).isEmpty();

    ReactorNettyCompletionAdvice.enter(first);
    ReactorNettyCompletionAdvice.enter(first); // terminate() again: reported once
    assertThat(completed).containsExactly("true 302 /home");
  }

  @Test
  void anAdmittedRequestNotAwaitingCompletionReportsNothing() {
    verdict = Verdict.allowed(new String[0], new String[0]);
    Object operations = operations("/api/x");
    ReactorNettyRequestAdvice.enter(
        handle, "onStateChange", (Connection) operations, HttpServerState.REQUEST_RECEIVED);

    ReactorNettyCompletionAdvice.enter(operations);

    assertThat(completed).isEmpty();
  }

  @Test
  void aDecisionThatMayWaitIsMadeOffTheEventLoopAndTheHandlerRunsOnItAfter() throws Exception {
    decisionMayWait = true;
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Remaining"}, new String[] {"9"});
    Connection operations = (Connection) operations("/api/x");

    handle.onStateChange(operations, HttpServerState.REQUEST_RECEIVED);
    assertThat(handle.handled).as("the handler waits for the decision").isEmpty();

    long guard = System.nanoTime() + 30_000_000_000L; // a guard, not a timing
    while (handle.handled.isEmpty() && System.nanoTime() < guard) {
      channel.runPendingTasks(); // the embedded channel's event loop: runs what was handed back
      Thread.sleep(5);
    }
    assertThat(handle.handled).containsExactly(Thread.currentThread().getName());
    assertThat(decided).hasSize(1);
    assertThat(decidedOn).allMatch(name -> name.startsWith("fastlimit-decision-"));
    assertThat(responseHeaders.get("X-RateLimit-Remaining")).isEqualTo("9");
  }
}
