package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A front-door verdict awaiting completion on Jetty 12: what its completion listener reports. */
class FrontDoorCompletionTest {

  private final List<String> completed = new ArrayList<>();

  @AfterEach
  void clearReader() {
    FrontDoor.responses(null);
  }

  private RateLimitBridge bridge() {
    return new RateLimitBridge() {
      @Override
      public ActiveRules rules() {
        throw new AssertionError("not asked at completion");
      }

      @Override
      public void answeredInFilter(
          String method, String contextPath, String servletPath, String pathInfo, String f) {}

      @Override
      public void completed(Verdict verdict, int status, String location, String forwardPath) {
        completed.add(verdict.pending() + " " + status + " " + location + " " + forwardPath);
      }

      @Override
      public void failed(Throwable failure) {
        throw new AssertionError("completion failed", failure);
      }
    };
  }

  private static Response jettyResponse(int status, HttpFields.Mutable headers) {
    return (Response)
        Proxy.newProxyInstance(
            FrontDoorCompletionTest.class.getClassLoader(),
            new Class<?>[] {Response.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getStatus":
                  return status;
                case "getHeaders":
                  return headers;
                default:
                  throw new AssertionError("the reader must not call " + method.getName());
              }
            });
  }

  @Test
  void reportsTheStatusAndLocationOfJettysResponse() {
    FrontDoor.responses(new CoreResponses());
    Verdict verdict = Verdict.allowedPending(new String[0], new String[0], "state");
    Response response = jettyResponse(302, HttpFields.build().add("Location", "/login?error"));

    Consumer<Throwable> listener = FrontDoor.completion(bridge(), verdict, response);
    assertThat(completed).as("not before Jetty calls it").isEmpty();
    listener.accept(null);

    assertThat(completed).containsExactly("state 302 /login?error null");
  }

  @Test
  void aResponseItCannotReadIsReportedWithStatusZero() {
    FrontDoor.responses(new CoreResponses());
    Verdict verdict = Verdict.allowedPending(new String[0], new String[0], "state");

    FrontDoor.completion(bridge(), verdict, new Object()).accept(new RuntimeException("reset"));

    assertThat(completed).containsExactly("state 0 null null");
  }
}
