package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContext;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client address the advice hands to the bridge when a framework or the container has resolved
 * X-Forwarded-For first: the peer and header as the container received them.
 */
class ForwardedAddressAdviceTest {

  private final Map<String, Object> attributes = new HashMap<>();
  private final List<String> decided = new ArrayList<>();
  private String remoteAddr = "127.0.0.1";
  private String forwardedFor = "198.51.100.7, 203.0.113.5";

  @BeforeAll
  static void installHelpers() throws Exception {
    FakeServlet.installHelpers();
  }

  @AfterEach
  void clearBridge() {
    BridgeHolder.set(null);
  }

  private void bridge(String forwardedForHeader) {
    ActiveRules rules =
        new ActiveRules(false, null, false, forwardedForHeader) {
          @Override
          public Verdict decide(
              Stage stage,
              String method,
              String contextPath,
              String servletPath,
              String pathInfo,
              String peer,
              String header,
              String user,
              Object request) {
            decided.add(peer + " | " + header);
            return null;
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
          public void failed(Throwable failure) {
            throw new AssertionError(failure);
          }
        });
  }

  /** The container's own request: its address and header are read when asked, as Tomcat does. */
  private HttpServletRequest containerRequest() {
    ServletContext context = FakeServlet.rootContext();
    return FakeServlet.of(
        HttpServletRequest.class,
        (proxy, method, args) ->
            switch (method.getName()) {
              case "getDispatcherType" -> DispatcherType.REQUEST;
              case "getAttribute" -> attributes.get((String) args[0]);
              case "setAttribute" -> attributes.put((String) args[0], args[1]);
              case "getServletContext" -> context;
              case "getServletPath" -> "/api";
              case "getMethod" -> "GET";
              case "getRemoteAddr" -> remoteAddr;
              case "getHeaders" ->
                  forwardedFor != null && "X-Forwarded-For".equals(args[0])
                      ? Collections.enumeration(List.of(forwardedFor))
                      : Collections.emptyEnumeration();
              default -> null;
            });
  }

  /** What Spring's ForwardedHeaderFilter hands on: the leftmost entry, the header hidden. */
  private static HttpServletRequest forwardedHeaderFilter(HttpServletRequest request) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public String getRemoteAddr() {
        return "198.51.100.7";
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return Collections.emptyEnumeration();
      }
    };
  }

  private HttpServletResponse response() {
    return FakeServlet.of(HttpServletResponse.class, (proxy, method, args) -> null);
  }

  @Test
  void aWrapperThatRewritesTheAddressIsReadUnderneath() {
    bridge("X-Forwarded-For");
    HttpServletRequest wrapped = forwardedHeaderFilter(containerRequest());
    ServletApiAdvice.enter(this, wrapped, response(), "service", null);
    assertThat(decided).containsExactly("127.0.0.1 | 198.51.100.7, 203.0.113.5");
  }

  @Test
  void withoutTrustedProxiesTheConnectionsPeerIsUsedUnderneathAWrapper() {
    bridge(null);
    HttpServletRequest wrapped =
        new HttpServletRequestWrapper(forwardedHeaderFilter(containerRequest())) {};
    ServletApiAdvice.enter(this, wrapped, response(), "service", null);
    assertThat(decided).containsExactly("127.0.0.1 | null");
  }

  @Test
  void theFirstSetRemoteAddrKeepsWhatTheContainerReceived() {
    bridge("X-Forwarded-For");
    HttpServletRequest request = containerRequest();
    ReceivedAddressAdvice.enter(request); // RemoteIpValve: before it rewrites anything
    remoteAddr = "203.0.113.5";
    forwardedFor = "198.51.100.7";
    ReceivedAddressAdvice.enter(request); // the valve restoring the address on its way out
    assertThat(attributes)
        .containsEntry(ReceivedAddress.PEER_ATTRIBUTE, "127.0.0.1")
        .containsEntry(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE, "198.51.100.7, 203.0.113.5");
    assertThat(ReceivedAddress.anyRecorded()).isTrue();
  }

  @Test
  void withoutTrustedProxiesOnlyThePeerIsKept() {
    bridge(null);
    ReceivedAddressAdvice.enter(containerRequest());
    assertThat(attributes)
        .containsEntry(ReceivedAddress.PEER_ATTRIBUTE, "127.0.0.1")
        .doesNotContainKey(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE);
  }

  @Test
  void whatTheContainerReceivedIsPreferredOverItsRewrite() {
    bridge("X-Forwarded-For");
    HttpServletRequest request = containerRequest();
    ReceivedAddressAdvice.enter(request);
    remoteAddr = "203.0.113.5"; // what RemoteIpValve leaves: the right entry as the address
    forwardedFor = "198.51.100.7"; // and the client-written rest as the header
    ServletApiAdvice.enter(this, request, response(), "service", null);
    assertThat(decided).containsExactly("127.0.0.1 | 198.51.100.7, 203.0.113.5");
  }

  @Test
  void aRecordedPeerWithoutAHeaderIsNotCompletedFromTheRewrittenHeader() {
    bridge("X-Forwarded-For");
    forwardedFor = null;
    HttpServletRequest request = containerRequest();
    ReceivedAddressAdvice.enter(request);
    forwardedFor = "198.51.100.7";
    ServletApiAdvice.enter(this, request, response(), "service", null);
    assertThat(decided).containsExactly("127.0.0.1 | null");
  }

  @Test
  void withoutABridgeNothingIsRecorded() {
    ReceivedAddressAdvice.enter(containerRequest());
    assertThat(attributes).isEmpty();
  }
}
