package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VertxRequestFactsTest {

  private static HttpServerRequest vertxRequest(String uri, Map<String, String> headerValues) {
    MultiMap headers =
        (MultiMap)
            Proxy.newProxyInstance(
                VertxRequestFactsTest.class.getClassLoader(),
                new Class<?>[] {MultiMap.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("get")
                      && method.getParameterTypes()[0] == String.class) {
                    return headerValues.get(((String) args[0]).toLowerCase());
                  }
                  throw new AssertionError("the reader must not call " + method);
                });
    return (HttpServerRequest)
        Proxy.newProxyInstance(
            VertxRequestFactsTest.class.getClassLoader(),
            new Class<?>[] {HttpServerRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "headers":
                  return headers;
                case "uri":
                  return uri;
                default:
                  throw new AssertionError("the reader must not call " + method.getName());
              }
            });
  }

  @Test
  void readsHeadersAndQueryParametersOfAVertxRequest() {
    HttpServerRequest request =
        vertxRequest("/api/x?a=1&user=J%C3%B6rg+X#frag", Map.of("x-api-key", "k-123"));
    RequestFacts facts = RequestFacts.of(request);

    assertThat(facts).isInstanceOf(VertxRequestFacts.class);
    assertThat(facts.header(request, "X-Api-Key")).isEqualTo("k-123");
    assertThat(facts.header(request, "Authorization")).isNull();
    assertThat(facts.queryParameter(request, "user")).isEqualTo("Jörg X");
    assertThat(facts.queryParameter(request, "missing")).isNull();
    assertThat(facts.attribute(request, "user_id")).isNull();
    assertThat(facts.formParameter(request, "user")).isNull();
  }
}
