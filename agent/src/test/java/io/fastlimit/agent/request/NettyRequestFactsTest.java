package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import reactor.netty.http.server.HttpServerRequest;

class NettyRequestFactsTest {

  private static HttpServerRequest reactorRequest(String uri, HttpHeaders headers) {
    return (HttpServerRequest)
        Proxy.newProxyInstance(
            NettyRequestFactsTest.class.getClassLoader(),
            new Class<?>[] {HttpServerRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "requestHeaders":
                  return headers;
                case "uri":
                  return uri;
                default:
                  throw new AssertionError("the reader must not call " + method.getName());
              }
            });
  }

  @Test
  void readsHeadersAndQueryParametersOfAReactorNettyRequest() {
    HttpHeaders headers = new DefaultHttpHeaders().add("X-Api-Key", "k-123");
    HttpServerRequest request =
        reactorRequest("/api/x?a=1&user=J%C3%B6rg+X&empty&user=second#frag", headers);
    RequestFacts facts = RequestFacts.of(request);

    assertThat(facts.header(request, "x-api-key")).isEqualTo("k-123");
    assertThat(facts.header(request, "Authorization")).isNull();
    assertThat(facts.queryParameter(request, "user")).isEqualTo("Jörg X");
    assertThat(facts.queryParameter(request, "empty")).isEmpty();
    assertThat(facts.queryParameter(request, "missing")).isNull();
    assertThat(facts.attribute(request, "plan")).isNull();
    assertThat(facts.formParameter(request, "user")).isNull();
  }

  @Test
  void readsHeadersAndQueryParametersOfANettyRequest() {
    HttpRequest request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/login?user=bob");
    request.headers().add("Authorization", "Bearer t");
    RequestFacts facts = RequestFacts.of(request);

    assertThat(facts.header(request, "authorization")).isEqualTo("Bearer t");
    assertThat(facts.queryParameter(request, "user")).isEqualTo("bob");
  }

  @Test
  void aTargetWithoutQueryHasNoQueryParameters() {
    HttpServerRequest request = reactorRequest("/api/x", new DefaultHttpHeaders());
    assertThat(RequestFacts.of(request).queryParameter(request, "user")).isNull();
  }
}
