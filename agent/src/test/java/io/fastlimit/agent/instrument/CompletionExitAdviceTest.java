package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.InvocationHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContext;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The servlet-stage completion hook: the entry that admitted a request whose verdict awaits its end
 * reports status, Location and forward target at its own exit, and only that entry.
 */
class CompletionExitAdviceTest {

  private final List<String> completed = new ArrayList<>();
  private final Map<String, Object> attributes = new HashMap<>();
  private DispatcherType dispatch = DispatcherType.REQUEST;
  private int status = 200;
  private String location;
  private String servletPath = "/login";
  private AsyncContext asyncContext;

  @BeforeAll
  static void installHelpers() throws Exception {
    FakeServlet.installHelpers();
  }

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  private static final Verdict PENDING =
      Verdict.allowedPending(new String[0], new String[0], "charges to give back");

  private void bridge(Verdict verdict) {
    ActiveRules rules =
        new ActiveRules(false, null, false, null) {
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
              Stage stage, String method, String contextPath, String servletPath, String path) {}
        };
    BridgeHolder.set(
        new RateLimitBridge() {
          @Override
          public ActiveRules rules() {
            return rules;
          }

          @Override
          public void answeredInFilter(
              String method, String contextPath, String servletPath, String info, String f) {}

          @Override
          public void completed(Verdict verdict, int status, String location, String forward) {
            completed.add(verdict.pending() + " " + status + " " + location + " " + forward);
          }

          @Override
          public void failed(Throwable failure) {
            completed.add("failed " + failure);
          }
        });
  }

  private HttpServletRequest request() {
    ServletContext context = FakeServlet.rootContext();
    return FakeServlet.of(
        HttpServletRequest.class,
        (proxy, method, args) ->
            switch (method.getName()) {
              case "getDispatcherType" -> dispatch;
              case "getAttribute" -> attributes.get((String) args[0]);
              case "setAttribute" -> attributes.put((String) args[0], args[1]);
              case "removeAttribute" -> attributes.remove((String) args[0]);
              case "getServletContext" -> context;
              case "getServletPath" -> servletPath;
              case "getMethod" -> "POST";
              case "getRemoteAddr" -> "203.0.113.7";
              case "isAsyncStarted" -> asyncContext != null;
              case "getAsyncContext" -> asyncContext;
              default -> null;
            });
  }

  private HttpServletResponse response() {
    return FakeServlet.of(
        HttpServletResponse.class,
        (proxy, method, args) ->
            switch (method.getName()) {
              case "isCommitted" -> false;
              case "getStatus" -> status;
              case "getHeader" -> "Location".equals(args[0]) ? location : null;
              default -> null;
            });
  }

  @Test
  void theDecidingEntryStoresThePendingVerdictOnTheRequest() {
    bridge(PENDING);
    ServletApiAdvice.enter(this, request(), response(), "service", null);
    assertThat(attributes.get(RateLimitBridge.PENDING_ATTRIBUTE)).isSameAs(PENDING);
  }

  @Test
  void anAdmittedVerdictThatAwaitsNothingIsNotStored() {
    bridge(Verdict.allowed(new String[0], new String[0]));
    ServletApiAdvice.enter(this, request(), response(), "service", null);
    assertThat(attributes).doesNotContainKey(RateLimitBridge.PENDING_ATTRIBUTE);
  }

  @Test
  void theExitReportsStatusLocationAndForward() {
    bridge(PENDING);
    attributes.put(RateLimitBridge.PENDING_ATTRIBUTE, PENDING);
    attributes.put(RateLimitBridge.FORWARDED_TO_ATTRIBUTE, "/error.jsp");
    status = 302;
    location = "/login?error";
    CompletionExitAdvice.exit(PENDING, request(), response(), null);
    assertThat(completed).containsExactly("charges to give back 302 /login?error /error.jsp");
    assertThat(attributes).doesNotContainKey(RateLimitBridge.PENDING_ATTRIBUTE);
  }

  @Test
  void anApplicationThatThrewEndsUnknown() {
    bridge(PENDING);
    CompletionExitAdvice.exit(PENDING, request(), response(), new IllegalStateException());
    assertThat(completed).containsExactly("charges to give back 0 null null");
  }

  @Test
  void anAsynchronousRequestIsLeftToItsListener() {
    List<Object> listeners = new ArrayList<>();
    AsyncContext context =
        FakeServlet.of(
            AsyncContext.class,
            (proxy, method, args) -> {
              if (method.getName().equals("addListener")) {
                listeners.add(args[0]);
              }
              return null;
            });
    InvocationHandler state = (proxy, method, args) -> null;
    Verdict pending = Verdict.allowedPending(new String[0], new String[0], state);
    bridge(pending);
    attributes.put(RateLimitBridge.PENDING_ATTRIBUTE, pending);
    asyncContext = context;
    CompletionExitAdvice.exit(pending, request(), response(), null);
    assertThat(completed).isEmpty();
    assertThat(listeners).hasSize(1);
    assertThat(listeners.get(0)).isInstanceOf(AsyncListener.class);
  }

  @Test
  void anEntryThatDidNotDecideReportsNothing() {
    bridge(PENDING);
    attributes.put(RateLimitBridge.PENDING_ATTRIBUTE, PENDING);
    CompletionExitAdvice.exit(null, request(), response(), null);
    assertThat(completed).isEmpty();
    assertThat(attributes).containsKey(RateLimitBridge.PENDING_ATTRIBUTE);
  }

  @Test
  void aForwardOfAPendingRequestRecordsItsTarget() {
    bridge(PENDING);
    attributes.put(RateLimitBridge.PENDING_ATTRIBUTE, PENDING);
    dispatch = DispatcherType.FORWARD;
    servletPath = "/login-error.jsp";
    CompletionExitAdvice.exit(null, request(), response(), null);
    assertThat(attributes.get(RateLimitBridge.FORWARDED_TO_ATTRIBUTE))
        .isEqualTo("/login-error.jsp");
    assertThat(completed).isEmpty();
  }

  @Test
  void aForwardOfARequestTheFrontDoorAdmittedRecordsItsTarget() {
    bridge(PENDING);
    attributes.put(FrontDoor.PENDING_ATTRIBUTE, PENDING);
    dispatch = DispatcherType.FORWARD;
    servletPath = "/jsp/security/protected/error.jsp";
    CompletionExitAdvice.exit(null, request(), response(), null);
    assertThat(attributes.get(RateLimitBridge.FORWARDED_TO_ATTRIBUTE))
        .isEqualTo("/jsp/security/protected/error.jsp");
  }

  @Test
  void aForwardOfARequestNothingAwaitsRecordsNothing() {
    bridge(PENDING);
    dispatch = DispatcherType.FORWARD;
    CompletionExitAdvice.exit(null, request(), response(), null);
    assertThat(attributes).doesNotContainKey(RateLimitBridge.FORWARDED_TO_ATTRIBUTE);
  }

  @Test
  void aFilterThatDecidedReportsAtItsExit() {
    bridge(PENDING);
    status = 401;
    FilterExitAdvice.exit(PENDING, request(), response(), null);
    assertThat(completed).containsExactly("charges to give back 401 null null");
  }

  /** A login servlet that answers 401 and, inside, runs its parent's service: two entries. */
  public static class LoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public void service(ServletRequest request, ServletResponse response) {
      ((Runnable) request.getAttribute("inside")).run(); // the application's work
    }
  }

  private final List<String> seenInside = new ArrayList<>();

  void insideService() {
    seenInside.add(String.valueOf(attributes.get(RateLimitBridge.PENDING_ATTRIBUTE) != null));
    status = 401;
  }

  @Test
  void withTheAdviceInlinedTheVerdictGoesFromEnterToExitOfTheSameCall() throws Exception {
    bridge(PENDING);
    Class<?> instrumented =
        new ByteBuddy()
            .redefine(LoginServlet.class)
            .visit(
                Advice.to(ServletApiAdvice.class, CompletionExitAdvice.class)
                    .on(named("service").and(takesArguments(2))))
            .make()
            .load(
                new ClassLoader(getClass().getClassLoader()) {},
                ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
    HttpServlet servlet = (HttpServlet) instrumented.getDeclaredConstructor().newInstance();
    attributes.put("inside", (Runnable) this::insideService);
    servlet.service(request(), response());
    assertThat(seenInside).containsExactly("true");
    assertThat(completed).containsExactly("charges to give back 401 null null");
    assertThat(attributes).doesNotContainKey(RateLimitBridge.PENDING_ATTRIBUTE);
  }
}
