package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class RequestFactsTest {

  private static HttpServletRequest request(String query, Map<String, Object> attributes) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            RequestFactsTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getHeader":
                  return args[0].equals("X-Api-Key") ? "k-123" : null;
                case "getQueryString":
                  return query;
                case "getAttribute":
                  return attributes.get((String) args[0]);
                default:
                  throw new AssertionError("the reader must not call " + method.getName());
              }
            });
  }

  @Test
  void readsHeadersQueryParametersAndAttributesOfAServletRequest() {
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("plan", "pro");
    HttpServletRequest request = request("a=1&user=J%C3%B6rg+X&empty&user=second", attributes);
    RequestFacts facts = RequestFacts.of(request);

    assertThat(facts.header(request, "X-Api-Key")).isEqualTo("k-123");
    assertThat(facts.header(request, "Authorization")).isNull();
    assertThat(facts.queryParameter(request, "user")).isEqualTo("Jörg X");
    assertThat(facts.queryParameter(request, "empty")).isEmpty();
    assertThat(facts.queryParameter(request, "missing")).isNull();
    assertThat(facts.attribute(request, "plan")).isEqualTo("pro");
    assertThat(facts.attribute(request, "none")).isNull();
  }

  @Test
  void aRequestWithNoQueryStringHasNoQueryParameters() {
    HttpServletRequest request = request(null, new HashMap<>());
    assertThat(RequestFacts.of(request).queryParameter(request, "user")).isNull();
  }

  @Test
  void anUnknownRequestTypeOrNoRequestReadsNothing() {
    Object notARequest = new Object();
    assertThat(RequestFacts.of(notARequest).header(notARequest, "X-Api-Key")).isNull();
    assertThat(RequestFacts.of(null).attribute(null, "plan")).isNull();
  }
}
