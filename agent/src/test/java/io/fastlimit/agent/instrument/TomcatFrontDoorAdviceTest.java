package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tomcat's front-door advice, called directly on Tomcat's own connector request and response, with
 * a fake bridge: what it hands the decision, what it writes, and that a verdict awaiting completion
 * is reported once, when Tomcat recycles the request.
 */
class TomcatFrontDoorAdviceTest {

  private final List<String> decided = new ArrayList<>();
  private final List<String> completed = new ArrayList<>();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private Verdict verdict;

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
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
            throw new AssertionError("the advice failed", failure);
          }
        });
  }

  /** A mapped request as postParseRequest leaves it, with its response. */
  private Request request(String method, String decodedUri) {
    org.apache.coyote.Request coyoteRequest = new org.apache.coyote.Request();
    org.apache.coyote.Response coyoteResponse = new org.apache.coyote.Response();
    coyoteRequest.setResponse(coyoteResponse);
    coyoteRequest.setMethod(method);
    coyoteRequest.decodedURI().setString(decodedUri);
    coyoteRequest.getMimeHeaders().addValue("X-Forwarded-For").setString("198.51.100.7");
    coyoteResponse.setOutputBuffer(
        new org.apache.coyote.OutputBuffer() {
          @Override
          public int doWrite(ByteBuffer chunk) {
            int length = chunk.remaining();
            byte[] bytes = new byte[length];
            chunk.get(bytes);
            written.write(bytes, 0, length);
            return length;
          }

          @Override
          public long getBytesWritten() {
            return written.size();
          }
        });
    Request request = new Request(null);
    request.setCoyoteRequest(coyoteRequest);
    request.setRemoteAddr("203.0.113.5");
    Response response = new Response();
    response.setCoyoteResponse(coyoteResponse);
    response.setRequest(request);
    request.setResponse(response);
    return request;
  }

  @Test
  void decidesOnThePathTomcatRoutesOnAndThePeerAsReceived() {
    installBridge();
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Limit"}, new String[] {"3"});
    Request request = request("POST", "/examples/jsp/security/protected/j_security_check");

    TomcatFrontDoorAdvice.exit(request, request.getResponse(), true);

    assertThat(decided)
        .containsExactly(
            "CONTAINER POST []/examples/jsp/security/protected/j_security_check null"
                + " 203.0.113.5 198.51.100.7 null true");
    assertThat(request.getResponse().getHeader("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE)).isNull();
  }

  @Test
  void aRequestTomcatAnsweredItselfIsNotDecided() {
    installBridge();
    Request request = request("GET", "/manager");

    TomcatFrontDoorAdvice.exit(request, request.getResponse(), false);

    assertThat(decided).isEmpty();
  }

  @Test
  void aBlockedRequestGetsTheRejectionFromTheAgent() throws Exception {
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

    TomcatFrontDoorAdvice.exit(request, response, true);

    assertThat(response.getStatus()).isEqualTo(429);
    assertThat(response.getHeader("Retry-After")).isEqualTo("60");
    assertThat(response.getContentType()).startsWith("application/json");
    assertThat(response.getContentLength()).isEqualTo(body.length);
    assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo(new String(body, "UTF-8"));
  }

  @Test
  void aBlockedRequestIsNeverReportedAsCompleted() {
    installBridge();
    verdict =
        Verdict.blocked(
            new String[] {"Retry-After"},
            new String[] {"60"},
            429,
            "application/json",
            new byte[0]);
    Request request = request("GET", "/manager/text/list");

    TomcatFrontDoorAdvice.exit(request, request.getResponse(), true);
    TomcatCompletedAdvice.enter(request); // no context, no connector here: nothing to log to

    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE))
        .as("its access log line")
        .isSameAs(verdict);
    assertThat(completed).isEmpty();
  }

  @Test
  void aVerdictAwaitingCompletionIsReportedOnceWhenTheRequestIsRecycled() {
    installBridge();
    verdict =
        Verdict.allowedPending(
            new String[] {"X-RateLimit-Limit"}, new String[] {"3"}, "the agent's state");
    Request request = request("POST", "/examples/jsp/security/protected/j_security_check");

    TomcatFrontDoorAdvice.exit(request, request.getResponse(), true);
    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE)).isSameAs(verdict);
    assertThat(completed).as("not before the request ends").isEmpty();

    // the authenticator answered: a failed FORM login forwards to the error page, BASIC is 401
    request.getResponse().setStatus(302);
    request.getResponse().setHeader("Location", "/login?error");
    request.setAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE, "/error.jsp");
    TomcatCompletedAdvice.enter(request);
    request.recycle(); // what the advice is inlined into
    TomcatCompletedAdvice.enter(request);

    assertThat(completed).containsExactly("true 302 /login?error /error.jsp");
  }

  @Test
  void aRequestWithoutAPendingVerdictReportsNothing() {
    installBridge();
    verdict = Verdict.allowed(new String[0], new String[0]);
    Request request = request("GET", "/manager/text/list");

    TomcatFrontDoorAdvice.exit(request, request.getResponse(), true);
    TomcatCompletedAdvice.enter(request);

    assertThat(completed).isEmpty();
  }
}
