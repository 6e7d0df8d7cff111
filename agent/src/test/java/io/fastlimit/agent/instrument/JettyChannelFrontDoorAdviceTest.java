package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The front-door advice of Jetty 9.4-11's HttpChannel, called directly with a servlet request and
 * response as the channel holds them before dispatch, and a fake bridge: only the REQUEST dispatch
 * is decided, on the path Server.handle routes on and the peer as received; a blocked request gets
 * the 429 and skips the dispatch; a verdict awaiting completion is reported once, at onCompleted.
 */
class JettyChannelFrontDoorAdviceTest {

  private final List<String> decided = new ArrayList<>();
  private final List<String> completed = new ArrayList<>();
  private final Map<String, Object> attributes = new HashMap<>();
  private final Map<String, String> responseHeaders = new HashMap<>();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private int status = 200;
  private Verdict verdict;

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  private void installBridge() {
    ActiveRules rules =
        new ActiveRules(false, null, false, "X-Forwarded-For") {
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
                    + forwardedFor);
            return verdict;
          }

          @Override
          public void blockedOnCommittedResponse(
              Stage stage, String method, String contextPath, String servletPath, String info) {}
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
          public void completed(Verdict done, int at, String location, String forwardPath) {
            completed.add((done == verdict) + " " + at + " " + location + " " + forwardPath);
          }

          @Override
          public void failed(Throwable failure) {
            throw new AssertionError("the advice failed", failure);
          }
        });
  }

  private HttpServletRequest request() {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getPathInfo":
                  return "/login-war/secure/x";
                case "getMethod":
                  return "GET";
                case "getRemoteAddr":
                  return "203.0.113.5";
                case "getHeaders":
                  return Collections.enumeration(List.of("198.51.100.7"));
                case "getAttribute":
                  return attributes.get((String) args[0]);
                case "setAttribute":
                  attributes.put((String) args[0], args[1]);
                  return null;
                case "removeAttribute":
                  attributes.remove((String) args[0]);
                  return null;
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }

  private HttpServletResponse response() {
    ServletOutputStream out =
        new ServletOutputStream() {
          @Override
          public boolean isReady() {
            return true;
          }

          @Override
          public void setWriteListener(WriteListener listener) {}

          @Override
          public void write(int b) {
            written.write(b);
          }
        };
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "setHeader":
                  responseHeaders.put((String) args[0], (String) args[1]);
                  return null;
                case "getHeader":
                  return responseHeaders.get((String) args[0]);
                case "setStatus":
                  status = (Integer) args[0];
                  return null;
                case "getStatus":
                  return status;
                case "setContentType":
                  responseHeaders.put("Content-Type", (String) args[0]);
                  return null;
                case "setContentLength":
                  responseHeaders.put("Content-Length", String.valueOf(args[0]));
                  return null;
                case "getOutputStream":
                  return out;
                case "setCharacterEncoding":
                case "flushBuffer":
                  return null;
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }

  @Test
  void decidesTheRequestDispatchOnTheRoutedPathAndThePeerAsReceived() {
    installBridge();
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Limit"}, new String[] {"3"});

    boolean skipped =
        JettyChannelFrontDoorAdvice.enter(DispatcherType.REQUEST, request(), response());

    assertThat(skipped).isFalse();
    assertThat(decided)
        .containsExactly("CONTAINER GET []/login-war/secure/x null 203.0.113.5 198.51.100.7");
    assertThat(responseHeaders).containsEntry("X-RateLimit-Limit", "3");
    assertThat(attributes).doesNotContainKey(FrontDoor.PENDING_ATTRIBUTE);
  }

  @Test
  void asyncAndErrorDispatchesAreNotDecidedAgain() {
    installBridge();
    verdict = Verdict.allowed(new String[0], new String[0]);

    JettyChannelFrontDoorAdvice.enter(DispatcherType.ASYNC, request(), response());
    JettyChannelFrontDoorAdvice.enter(DispatcherType.ERROR, request(), response());

    assertThat(decided).isEmpty();
  }

  @Test
  void aBlockedRequestGetsTheRejectionAndSkipsTheDispatch() {
    installBridge();
    byte[] body = "{\"detail\":\"Rate limit exceeded.\"}".getBytes(StandardCharsets.UTF_8);
    verdict =
        Verdict.blocked(
            new String[] {"X-RateLimit-Remaining", "Retry-After"},
            new String[] {"0", "60"},
            429,
            "application/json",
            body);

    boolean skipped =
        JettyChannelFrontDoorAdvice.enter(DispatcherType.REQUEST, request(), response());

    assertThat(skipped).isTrue();
    assertThat(status).isEqualTo(429);
    assertThat(responseHeaders)
        .containsEntry("Retry-After", "60")
        .containsEntry("Content-Type", "application/json")
        .containsEntry("Content-Length", String.valueOf(body.length));
    assertThat(written.toByteArray()).isEqualTo(body);
  }

  @Test
  void aVerdictAwaitingCompletionIsReportedOnceWhenTheChannelCompletes() {
    installBridge();
    verdict =
        Verdict.allowedPending(
            new String[] {"X-RateLimit-Limit"}, new String[] {"3"}, "the agent's state");
    HttpServletRequest request = request();
    HttpServletResponse response = response();

    JettyChannelFrontDoorAdvice.enter(DispatcherType.REQUEST, request, response);
    assertThat(completed).as("not before the request ends").isEmpty();
    status = 401; // the security handler's answer
    JettyChannelCompletedAdvice.enter(request, response);
    JettyChannelCompletedAdvice.enter(request, response);

    assertThat(completed).containsExactly("true 401 null null");
  }
}
