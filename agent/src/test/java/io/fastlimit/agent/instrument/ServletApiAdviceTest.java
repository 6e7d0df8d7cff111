package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.GenericServlet;
import javax.servlet.Servlet;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The servlet advice against fake requests and responses: called directly at a servlet, woven into
 * filters and servlets where what happens between enter and exit matters.
 */
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
  void aBlockedRequestOnACommittedResponseSkipsTheFilterItReachedFirst() throws Exception {
    BridgeHolder.set(bridgeWithRulesBeforeFilters(blocked()));
    committed = true;

    filter(OuterFilter.class).doFilter(request(), response(), (rq, rs) -> calls.add("the chain"));

    assertThat(calls).as("nothing written, the filter skipped").containsExactly("isCommitted");
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

  // ---- requests answered inside a filter, through filters and a servlet the advice is woven into

  /** An application filter that passes the request on down the chain. */
  public static class OuterFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(request, response);
    }
  }

  /** An application filter that answers the request itself: no chain.doFilter, no servlet. */
  public static class LoginFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {}
  }

  public static class AppServlet extends GenericServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public void service(ServletRequest request, ServletResponse response) {}
  }

  private static Filter filter(Class<? extends Filter> type) throws Exception {
    return FakeServlet.woven(type, Filter.class);
  }

  @Test
  void aRequestAnsweredInsideAFilterIsReportedWithThatFilter() throws Exception {
    BridgeHolder.set(bridge(null));
    Filter inner = filter(LoginFilter.class);
    List<String> answeredWhenInnerReturned = new ArrayList<>();

    filter(OuterFilter.class)
        .doFilter(
            request(),
            response(),
            (rq, rs) -> {
              inner.doFilter(rq, rs, (neverCalled, either) -> {});
              answeredWhenInnerReturned.addAll(answered);
            });

    assertThat(answeredWhenInnerReturned).as("an inner filter returning is not the end").isEmpty();
    assertThat(answered).containsExactly("POST /login " + LoginFilter.class.getName());
  }

  @Test
  void aRequestThatReachedTheServletIsNotReported() throws Exception {
    BridgeHolder.set(bridge(null));
    Filter outer = filter(OuterFilter.class);
    Servlet servlet = FakeServlet.woven(AppServlet.class, Servlet.class);

    outer.doFilter(request(), response(), servlet::service);
    assertThat(answered).isEmpty();
    // the next request on the same thread starts afresh
    outer.doFilter(request(), response(), (rq, rs) -> {});

    assertThat(answered).containsExactly("POST /login " + OuterFilter.class.getName());
  }

  @Test
  void aRequestTheAgentRejectedAtAFilterIsNotReported() throws Exception {
    BridgeHolder.set(bridgeWithRulesBeforeFilters(blocked()));

    filter(OuterFilter.class).doFilter(request(), response(), (rq, rs) -> calls.add("the chain"));

    assertThat(calls).contains("setStatus").doesNotContain("the chain");
    assertThat(answered).isEmpty();
  }

  @Test
  void aRequestAFilterFailedOnIsNotReported() throws Exception {
    BridgeHolder.set(bridge(null));
    Filter outer = filter(OuterFilter.class);

    assertThatThrownBy(
            () ->
                outer.doFilter(
                    request(),
                    response(),
                    (rq, rs) -> {
                      throw new IllegalStateException("filter failed");
                    }))
        .hasMessage("filter failed");

    assertThat(answered).isEmpty();
  }

  @Test
  void aRequestAFilterMadeAsyncIsNotReported() throws Exception {
    // the chain may go on on another thread, where a servlet sees the request
    BridgeHolder.set(bridge(null));

    filter(OuterFilter.class).doFilter(request(), response(), (rq, rs) -> asyncStarted = true);

    assertThat(answered).isEmpty();
  }

  @Test
  void anExitWithoutItsEnterIsIgnored() throws Exception {
    BridgeHolder.set(bridge(null));
    Servlet servlet = FakeServlet.woven(AppServlet.class, Servlet.class);
    // attached while a request was inside a filter: its exit advice runs, its enter never did
    FilterExitAdvice.exit(null, request(), response(), null);

    filter(OuterFilter.class).doFilter(request(), response(), servlet::service);

    assertThat(answered).isEmpty();
  }
}
