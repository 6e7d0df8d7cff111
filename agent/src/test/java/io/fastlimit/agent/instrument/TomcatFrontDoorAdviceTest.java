package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.TomcatEntry;
import io.fastlimit.bootstrap.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tomcat's front-door advice woven, as the agent weaves it, into stand-ins for {@code
 * CoyoteAdapter.postParseRequest} and {@code Request.recycle()}, on Tomcat's own connector request
 * and response, with a fake bridge: what the helper behind the call-outs hands the decision, what
 * it writes, what postParseRequest then returns, and that a verdict awaiting completion is reported
 * once, when Tomcat recycles the request.
 */
class TomcatFrontDoorAdviceTest {

  private final List<String> decided = new ArrayList<>();
  private final List<String> completed = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private Verdict verdict;

  @BeforeAll
  static void installHelpers() {
    TomcatEntry.install(new TomcatHelpers()); // as Callouts.install does
  }

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
    assertThat(failures).as("reported to the bridge").isEmpty();
  }

  /** CoyoteAdapter's method, as the advice's matcher and argument indexes see it. */
  public interface PostParse {
    boolean postParseRequest(
        org.apache.coyote.Request coyoteRequest,
        Request request,
        org.apache.coyote.Response coyoteResponse,
        Response response);
  }

  /** Tomcat mapped the request: to its pipeline. */
  public static class MappingAdapter implements PostParse {
    @Override
    public boolean postParseRequest(
        org.apache.coyote.Request coyoteRequest,
        Request request,
        org.apache.coyote.Response coyoteResponse,
        Response response) {
      return true;
    }
  }

  /** Tomcat answered the request itself (a redirect, a 400). */
  public static class AnsweringAdapter extends MappingAdapter {
    @Override
    public boolean postParseRequest(
        org.apache.coyote.Request coyoteRequest,
        Request request,
        org.apache.coyote.Response coyoteResponse,
        Response response) {
      return false;
    }
  }

  /** Tomcat's connector request, its recycle() declared here for the advice to be woven into. */
  public static class RecycledRequest extends Request {
    public RecycledRequest() {
      super(null);
    }

    @Override
    public void recycle() {
      super.recycle();
    }
  }

  /** A new {@code type} with {@code advice} woven into its {@code method}, loaded anew. */
  private static <T> T woven(Class<? extends T> type, String method, String advice, Class<T> as)
      throws ReflectiveOperationException {
    ClassLoader loader = type.getClassLoader();
    Class<?> woven =
        new ResolvedAdvice.Source(ServletInstrumentation.adviceClasses())
            .advice(named(method), advice)
            .transform(
                new ByteBuddy().redefine(type),
                TypeDescription.ForLoadedType.of(type),
                loader,
                null,
                null)
            .make()
            .load(new ClassLoader(loader) {}, ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
    return as.cast(woven.getConstructor().newInstance());
  }

  private static PostParse adapter(Class<? extends PostParse> type) throws Exception {
    return woven(type, "postParseRequest", TomcatFrontDoorAdvice.NAME, PostParse.class);
  }

  private static boolean postParseRequest(PostParse adapter, Request request) {
    return adapter.postParseRequest(
        request.getCoyoteRequest(),
        request,
        request.getResponse().getCoyoteResponse(),
        request.getResponse());
  }

  private final class FakeRules extends ActiveRules {
    FakeRules() {
      super(false, null, false, "X-Forwarded-For");
    }

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
      decided.add(
          stage
              + " "
              + method
              + " ["
              + contextPath
              + "]"
              + servletPath
              + " "
              + pathInfo
              + " "
              + peerAddress
              + " "
              + forwardedFor
              + " "
              + userId
              + " "
              + (request instanceof Request));
      return verdict;
    }

    @Override
    public void blockedOnCommittedResponse(
        Stage stage, String method, String contextPath, String servletPath, String pathInfo) {}
  }

  private void installBridge() {
    ActiveRules rules = new FakeRules();
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
            completed.add((done == verdict) + " " + status + " " + location + " " + forwardPath);
          }

          @Override
          public void failed(Throwable failure) {
            failures.add(failure); // thrown here, the advice would suppress it unseen
          }
        });
  }

  /** A mapped request as postParseRequest leaves it, whose recycle() carries the advice. */
  private Request request(String method, String decodedUri) throws Exception {
    Request request =
        woven(RecycledRequest.class, "recycle", TomcatCompletedAdvice.NAME, Request.class);
    return TomcatRequests.mapped(request, new Response(), method, decodedUri, written);
  }

  @Test
  void decidesOnThePathTomcatRoutesOnAndThePeerAsReceived() throws Exception {
    installBridge();
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Limit"}, new String[] {"3"});
    Request request = request("POST", "/examples/jsp/security/protected/j_security_check");

    boolean toPipeline = postParseRequest(adapter(MappingAdapter.class), request);

    assertThat(toPipeline).isTrue();
    assertThat(decided)
        .containsExactly(
            "CONTAINER POST []/examples/jsp/security/protected/j_security_check null"
                + " 203.0.113.5 198.51.100.7 null true");
    assertThat(request.getResponse().getHeader("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE)).isNull();
  }

  @Test
  void aRequestTomcatAnsweredItselfIsNotDecided() throws Exception {
    installBridge();
    Request request = request("GET", "/manager");

    boolean toPipeline = postParseRequest(adapter(AnsweringAdapter.class), request);

    assertThat(toPipeline).isFalse();
    assertThat(decided).isEmpty();
  }

  @Test
  void withoutABridgeTheRequestGoesOnUntouched() throws Exception {
    Request request = request("GET", "/manager");

    assertThat(postParseRequest(adapter(MappingAdapter.class), request)).isTrue();
    assertThat(request.getResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void aBlockedRequestGetsTheRejectionFromTheAgentAndNeverReachesThePipeline() throws Exception {
    installBridge();
    byte[] body = "{\"detail\":\"Rate limit exceeded.\"}".getBytes(StandardCharsets.UTF_8);
    verdict =
        Verdict.blocked(
            new String[] {"X-RateLimit-Remaining", "Retry-After"},
            new String[] {"0", "60"},
            429,
            "application/json",
            body);
    Request request = request("GET", "/manager/text/list");
    Response response = request.getResponse();

    boolean toPipeline = postParseRequest(adapter(MappingAdapter.class), request);

    assertThat(toPipeline).isFalse();
    assertThat(response.getStatus()).isEqualTo(429);
    assertThat(response.getHeader("Retry-After")).isEqualTo("60");
    assertThat(response.getContentType()).startsWith("application/json");
    assertThat(response.getContentLength()).isEqualTo(body.length);
    assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo(new String(body, "UTF-8"));
  }

  @Test
  void aBlockedRequestIsNeverReportedAsCompleted() throws Exception {
    installBridge();
    verdict =
        Verdict.blocked(
            new String[] {"Retry-After"},
            new String[] {"60"},
            429,
            "application/json",
            new byte[0]);
    Request request = request("GET", "/manager/text/list");

    postParseRequest(adapter(MappingAdapter.class), request);
    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE))
        .as("its access log line")
        .isSameAs(verdict);
    request.recycle(); // no context, no connector here: nothing to log to

    assertThat(completed).isEmpty();
  }

  @Test
  void aVerdictAwaitingCompletionIsReportedOnceWhenTheRequestIsRecycled() throws Exception {
    installBridge();
    verdict =
        Verdict.allowedPending(
            new String[] {"X-RateLimit-Limit"}, new String[] {"3"}, "the agent's state");
    Request request = request("POST", "/examples/jsp/security/protected/j_security_check");

    postParseRequest(adapter(MappingAdapter.class), request);
    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE)).isSameAs(verdict);
    assertThat(completed).as("not before the request ends").isEmpty();

    // the authenticator answered: a failed FORM login forwards to the error page, BASIC is 401
    request.getResponse().setStatus(302);
    request.getResponse().setHeader("Location", "/login?error");
    request.setAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE, "/error.jsp");
    request.recycle();
    request.recycle();

    assertThat(completed).containsExactly("true 302 /login?error /error.jsp");
  }

  @Test
  void aRequestWithoutAPendingVerdictReportsNothing() throws Exception {
    installBridge();
    verdict = Verdict.allowed(new String[0], new String[0]);
    Request request = request("GET", "/manager/text/list");

    postParseRequest(adapter(MappingAdapter.class), request);
    request.recycle();

    assertThat(completed).isEmpty();
  }
}
