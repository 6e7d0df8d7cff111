package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContext;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The advice as ordinary code, against fake requests and responses. */
class ServletApiAdviceTest {

  private final List<String> calls = new ArrayList<>();
  private final List<String> answered = new ArrayList<>();
  private final List<String> blockedUnwritten = new ArrayList<>();
  private boolean asyncStarted;
  private final Map<String, Object> attributes = new HashMap<>();
  private boolean committed;
  private boolean flushFails;

  @BeforeAll
  static void installHelpers() throws Exception {
    FakeServlet.installHelpers();
  }

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  private RateLimitBridge bridge(Verdict verdict) {
    return bridge(verdict, false);
  }

  /** A bridge that decides rules at the first filter too. */
  private RateLimitBridge bridgeWithRulesBeforeFilters(Verdict verdict) {
    return bridge(verdict, true);
  }

  private RateLimitBridge bridge(Verdict verdict, boolean anyBeforeFilters) {
    ActiveRules rules =
        new ActiveRules(anyBeforeFilters, null, false, null) {
          @Override
          public Verdict decide(
              Stage stage,
              String method,
              String contextPath,
              String servletPath,
              String pathInfo,
              String peer,
              String forwardedFor,
              String user,
              Object request) {
            return verdict;
          }

          @Override
          public void blockedOnCommittedResponse(
              Stage stage, String method, String contextPath, String servletPath, String pathInfo) {
            blockedUnwritten.add(stage + " " + method + " " + contextPath + servletPath);
          }
        };
    return new RateLimitBridge() {
      @Override
      public ActiveRules rules() {
        return rules;
      }

      @Override
      public void answeredInFilter(
          String method, String contextPath, String servletPath, String pathInfo, String filter) {
        answered.add(method + " " + contextPath + servletPath + " " + filter);
      }

      @Override
      public void failed(Throwable failure) {}
    };
  }

  private HttpServletRequest request() {
    ServletContext context = FakeServlet.rootContext();
    return FakeServlet.of(
        HttpServletRequest.class,
        (proxy, method, args) ->
            switch (method.getName()) {
              case "getDispatcherType" -> DispatcherType.REQUEST;
              case "getAttribute" -> attributes.get((String) args[0]);
              case "setAttribute" -> attributes.put((String) args[0], args[1]);
              case "getServletContext" -> context;
              case "getServletPath" -> "/login";
              case "getMethod" -> "POST";
              case "getRemoteAddr" -> "203.0.113.7";
              case "isAsyncStarted" -> asyncStarted;
              default -> null;
            });
  }

  private HttpServletResponse response() {
    ServletOutputStream out =
        new ServletOutputStream() {
          @Override
          public void write(int b) {
            calls.add("write");
          }

          @Override
          public boolean isReady() {
            return true;
          }

          @Override
          public void setWriteListener(WriteListener listener) {}
        };
    return FakeServlet.of(
        HttpServletResponse.class,
        (proxy, method, args) -> {
          calls.add(method.getName());
          switch (method.getName()) {
            case "isCommitted":
              return committed;
            case "getOutputStream":
              return out;
            case "flushBuffer":
              if (flushFails) {
                throw new IOException("client went away");
              }
              return null;
            default:
              return null;
          }
        });
  }

  private static Verdict blocked() {
    return Verdict.blocked(
        new String[] {"Retry-After"},
        new String[] {"5"},
        429,
        "application/json",
        "{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBlockedRequestSkipsTheServletEvenWhenWritingTheRejectionFails() {
    BridgeHolder.set(bridge(blocked()));
    flushFails = true;
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isTrue();
    assertThat(calls).contains("resetBuffer", "setStatus", "flushBuffer");
  }

  @Test
  void aBlockedRequestOnACommittedResponseSkipsTheServletWithoutWritingAndIsReported() {
    // a streaming filter wrote and flushed before chain.doFilter: no 429 can be sent any more,
    // but the servlet behind it must not run
    BridgeHolder.set(bridge(blocked()));
    committed = true;
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isTrue();
    assertThat(calls).containsExactly("isCommitted");
    assertThat(blockedUnwritten).containsExactly(Stage.SERVLET_ALONE + " POST /login");
  }

  @Test
  void aBlockedRequestOnACommittedResponseSkipsTheFilterItReachedFirst() {
    BridgeHolder.set(bridgeWithRulesBeforeFilters(blocked()));
    committed = true;
    boolean rejected = filterEnter(new LoginFilter());
    filterExit(rejected, null); // first, so a failure below leaves this thread's trace clean
    assertThat(rejected).isTrue();
    assertThat(calls).containsExactly("isCommitted");
    assertThat(blockedUnwritten).containsExactly(Stage.FILTERS + " POST /login");
    assertThat(answered).as("the agent skipped it: no filter answered it").isEmpty();
  }

  @Test
  void anAdmittedRequestOnACommittedResponsePassesWithoutHeaders() {
    BridgeHolder.set(bridge(Verdict.allowed(new String[] {"X"}, new String[] {"1"})));
    committed = true;
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isFalse();
    assertThat(calls).containsExactly("isCommitted");
    assertThat(blockedUnwritten).isEmpty();
  }

  @Test
  void aRequestIsDecidedOnceAndMarked() {
    BridgeHolder.set(bridge(Verdict.allowed(new String[] {"X"}, new String[] {"1"})));
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isFalse();
    assertThat(attributes).containsKey(RateLimitBridge.DECIDED_ATTRIBUTE);
    calls.clear();
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isFalse();
    assertThat(calls).isEmpty();
  }

  @Test
  void withoutABridgeNothingIsTouched() {
    assertThat(ServletApiAdvice.enter(this, request(), response(), "service", null)).isFalse();
    assertThat(calls).isEmpty();
    assertThat(attributes).isEmpty();
  }

  // ---- requests answered inside a filter

  /** Stand-ins for application filters: only their class names matter. */
  private static final class OuterFilter {}

  private static final class LoginFilter {}

  /** What the instrumented doFilter does: enter, maybe run the body, exit. */
  private boolean filterEnter(Object filter) {
    return ServletApiAdvice.enter(filter, request(), response(), "doFilter", null);
  }

  private void filterExit(boolean rejected, Throwable thrown) {
    FilterExitAdvice.exit(rejected, request(), thrown, response(), null);
  }

  @Test
  void aRequestAnsweredInsideAFilterIsReportedWithThatFilter() {
    BridgeHolder.set(bridge(null));
    boolean outer = filterEnter(new OuterFilter());
    boolean inner = filterEnter(new LoginFilter()); // answers: no chain.doFilter, no servlet
    filterExit(inner, null);
    assertThat(answered).as("an inner filter returning is not the end").isEmpty();
    filterExit(outer, null);
    assertThat(answered).containsExactly("POST /login " + LoginFilter.class.getName());
  }

  @Test
  void aRequestThatReachedTheServletIsNotReported() {
    BridgeHolder.set(bridge(null));
    boolean outer = filterEnter(new OuterFilter());
    ServletApiAdvice.enter(this, request(), response(), "service", null);
    filterExit(outer, null);
    assertThat(answered).isEmpty();
    // the next request on the same thread starts afresh
    boolean again = filterEnter(new OuterFilter());
    filterExit(again, null);
    assertThat(answered).containsExactly("POST /login " + OuterFilter.class.getName());
  }

  @Test
  void aRequestTheAgentRejectedOrAFilterFailedOnIsNotReported() {
    BridgeHolder.set(bridge(null));
    filterExit(filterEnter(new OuterFilter()) || true, null);
    filterExit(filterEnter(new OuterFilter()), new IllegalStateException("filter failed"));
    assertThat(answered).isEmpty();
  }

  @Test
  void aRequestAFilterMadeAsyncIsNotReported() {
    // the chain may go on on another thread, where a servlet sees the request
    BridgeHolder.set(bridge(null));
    boolean outer = filterEnter(new OuterFilter());
    asyncStarted = true;
    filterExit(outer, null);
    assertThat(answered).isEmpty();
  }

  @Test
  void anExitWithoutItsEnterIsIgnored() {
    BridgeHolder.set(bridge(null));
    // attached while a request was inside a filter: its exit advice runs, its enter never did
    filterExit(false, null);
    boolean outer = filterEnter(new OuterFilter());
    ServletApiAdvice.enter(this, request(), response(), "service", null);
    filterExit(outer, null);
    assertThat(answered).isEmpty();
  }
}
