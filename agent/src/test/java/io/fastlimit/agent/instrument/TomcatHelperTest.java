package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.junit.jupiter.api.Test;

/**
 * Tomcat's front-door helper when something fails inside it: the failure is reported to the bridge,
 * never thrown, and the request goes on to Tomcat's pipeline unless the rejection was begun. (What
 * it decides and writes: {@link TomcatFrontDoorAdviceTest}, through the woven advice.)
 */
class TomcatHelperTest {

  private final List<Throwable> failures = new ArrayList<>();
  private final List<String> completed = new ArrayList<>();
  private final TomcatHelper helper = new TomcatHelper();
  private Verdict verdict;
  private RuntimeException decideFails;

  private final RateLimitBridge bridge =
      new RateLimitBridge() {
        private final ActiveRules rules =
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
                  String peer,
                  String forwardedFor,
                  String userId,
                  Object request) {
                if (decideFails != null) {
                  throw decideFails;
                }
                return verdict;
              }

              @Override
              public void blockedOnCommittedResponse(
                  Stage stage, String method, String context, String servlet, String info) {}
            };

        @Override
        public ActiveRules rules() {
          return rules;
        }

        @Override
        public void answeredInFilter(
            String method, String contextPath, String servletPath, String pathInfo, String f) {}

        @Override
        public void completed(Verdict done, int status, String location, String forwardPath) {
          completed.add(status + " " + location);
        }

        @Override
        public void failed(Throwable failure) {
          failures.add(failure);
        }
      };

  private static Verdict blocked() {
    return Verdict.blocked(
        new String[] {"Retry-After"}, new String[] {"60"}, 429, "text/plain", new byte[] {'!'});
  }

  private static Request request(Response response) {
    return TomcatRequests.mapped(
        new Request(null), response, "GET", "/manager", new ByteArrayOutputStream());
  }

  @Test
  void aFailureBeforeTheRejectionLetsTheRequestThrough() {
    decideFails = new IllegalStateException("the rules failed");
    Request request = request(new Response());

    boolean toPipeline = helper.frontDoor(bridge, request, request.getResponse());

    assertThat(toPipeline).isTrue();
    assertThat(failures).containsExactly(decideFails);
  }

  @Test
  void aRejectionThatFailsWhileBeingWrittenStillKeepsTheRequestFromThePipeline() {
    verdict = blocked();
    IOException gone = new IOException("client went away");
    Request request =
        request(
            new Response() {
              @Override
              public PrintWriter getWriter() throws IOException {
                throw gone;
              }
            });

    boolean toPipeline = helper.frontDoor(bridge, request, request.getResponse());

    assertThat(toPipeline).isFalse();
    assertThat(failures).containsExactly(gone);
    assertThat(request.getResponse().getStatus()).isEqualTo(429);
  }

  @Test
  void aRejectedRequestIsKeptForItsAccessLogLine() {
    verdict = blocked();
    Request request = request(new Response());

    assertThat(helper.frontDoor(bridge, request, request.getResponse())).isFalse();

    assertThat(request.getAttribute(FrontDoor.PENDING_ATTRIBUTE)).isSameAs(verdict);
    assertThat(failures).isEmpty();
  }

  @Test
  void aFailureAtRecycleIsReportedNotThrown() {
    IllegalStateException broken = new IllegalStateException("no attributes");
    Request request =
        new Request(null) {
          @Override
          public Object getAttribute(String name) {
            throw broken;
          }
        };

    helper.recycled(bridge, request);

    assertThat(failures).containsExactly(broken);
    assertThat(completed).isEmpty();
  }
}
