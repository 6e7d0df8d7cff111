package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.micronaut.http.body.AvailableByteBody;
import io.micronaut.http.body.ByteBody;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.http.server.netty.handler.OutboundAccess;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Micronaut's request advice called directly, as Byte Buddy inlines it into {@code
 * RoutingInBoundHandler.accept}, with Micronaut's {@code OutboundAccess} and request body faked
 * over an embedded Netty channel: what it decides on, the 429 it writes with the body closed, and
 * the headers it leaves on the connection for an admitted request's response.
 */
class MicronautAdviceTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final List<String> decided = new ArrayList<>();
  private final List<HttpResponse> written = new ArrayList<>();
  private final List<String> bodies = new ArrayList<>();
  private final List<String> closed = new ArrayList<>();
  private Verdict verdict;

  @BeforeEach
  void installBridge() {
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
              String userId,
              Object request) {
            decided.add(stage + " " + method + " " + servletPath);
            return verdict;
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
          public void answeredInFilter(String m, String c, String s, String p, String f) {}

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

  private final OutboundAccess outboundAccess =
      new OutboundAccess() {
        @Override
        public void attachment(Object attachment) {}

        @Override
        public void closeAfterWrite() {
          throw new AssertionError("a 429 keeps the connection");
        }

        @Override
        public void write(HttpResponse response, ByteBody body) {
          written.add(response);
          bodies.add(new String(((AvailableByteBody) body).toByteArray()));
        }

        @Override
        public void writeHeadResponse(HttpResponse response) {
          written.add(response);
        }
      };

  private CloseableByteBody body(String name) {
    return (CloseableByteBody)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {CloseableByteBody.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                closed.add(name);
                return null;
              }
              throw new AssertionError("the advice must not call " + method.getName());
            });
  }

  private boolean accept(HttpRequest request, CloseableByteBody body) {
    return MicronautRequestAdvice.enter(
        this, "accept", channel.pipeline().firstContext(), request, body, outboundAccess);
  }

  @Test
  void blockedRequestIsAnsweredWith429AndItsBodyClosedWithoutRouting() {
    verdict =
        Verdict.blocked(
            new String[] {"Retry-After"},
            new String[] {"7"},
            429,
            "application/json",
            "{\"retry_after\":7}".getBytes());
    HttpRequest request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api;v=1/%73ecret?x=1");

    assertThat(accept(request, body("upload"))).isTrue();

    assertThat(decided).containsExactly("SERVLET_ALONE POST /api/secret");
    assertThat(closed).containsExactly("upload");
    assertThat(written).hasSize(1);
    HttpResponse response = written.get(0);
    assertThat(response.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
    assertThat(response.headers().get("Retry-After")).isEqualTo("7");
    assertThat(response.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(response.headers().get("Content-Length")).isEqualTo("17");
    assertThat(bodies).containsExactly("{\"retry_after\":7}");
  }

  @Test
  void admittedRequestRoutesAndLeavesItsHeadersForItsResponse() {
    verdict = Verdict.allowed(new String[] {"X-RateLimit-Remaining"}, new String[] {"4"});
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/a");

    assertThat(accept(request, body("none"))).isFalse();

    assertThat(written).isEmpty();
    assertThat(closed).isEmpty();
    PendingResponses pending =
        channel.attr(AttributeKey.<PendingResponses>valueOf(MicronautRequestAdvice.PENDING)).get();
    assertThat(pending.responding(request, 200, null)).isSameAs(verdict);
  }

  @Test
  void requestNoRuleCoversIsLeftAlone() {
    verdict = null;

    assertThat(accept(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), null))
        .isFalse();

    assertThat(channel.hasAttr(AttributeKey.valueOf(MicronautRequestAdvice.PENDING))).isFalse();
  }
}
