package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.server.HttpServerExchange;
import java.lang.reflect.Proxy;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.Test;

class CoreRequestFactsTest {

  @Test
  void readsHeadersQueryParametersAndAttributesOfAJetty12CoreRequest() {
    HttpFields headers = HttpFields.build().add("X-Api-Key", "k-1").add("X-Api-Key", "k-2");
    HttpURI uri = HttpURI.from("http://localhost/login?a=1&user=J%C3%B6rg+X");
    Request request =
        (Request)
            Proxy.newProxyInstance(
                CoreRequestFactsTest.class.getClassLoader(),
                new Class<?>[] {Request.class},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "getHeaders":
                      return headers;
                    case "getHttpURI":
                      return uri;
                    case "getAttribute":
                      return args[0].equals("plan") ? "pro" : null;
                    default:
                      throw new AssertionError("the reader must not call " + method.getName());
                  }
                });
    RequestFacts facts = RequestFacts.of(request);

    assertThat(facts.header(request, "x-api-key")).isEqualTo("k-1");
    assertThat(facts.header(request, "Authorization")).isNull();
    assertThat(facts.queryParameter(request, "user")).isEqualTo("Jörg X");
    assertThat(facts.queryParameter(request, "missing")).isNull();
    assertThat(facts.attribute(request, "plan")).isEqualTo("pro");
    assertThat(facts.formParameter(request, "j_username")).isNull();
  }

  @Test
  void readsHeadersAndQueryParametersOfAnUndertowExchange() {
    HttpServerExchange exchange = new HttpServerExchange(null);
    exchange.getRequestHeaders().add(io.undertow.util.Headers.AUTHORIZATION, "Basic abc");
    exchange.setQueryString("user=alice&x=%2F");
    RequestFacts facts = RequestFacts.of(exchange);

    assertThat(facts.header(exchange, "authorization")).isEqualTo("Basic abc");
    assertThat(facts.header(exchange, "X-Api-Key")).isNull();
    assertThat(facts.queryParameter(exchange, "user")).isEqualTo("alice");
    assertThat(facts.queryParameter(exchange, "x")).isEqualTo("/");
    assertThat(facts.attribute(exchange, "plan")).isNull();
    assertThat(facts.formParameter(exchange, "j_username")).isNull();
  }

  @Test
  void aJetty12FormFieldInTheQueryStringIsTheAccountAsItsFormAuthenticatorReadsIt() {
    // Jetty 12's FormAuthenticator reads j_username from the query's fields before the body's:
    // POST /j_security_check?j_username=alice must count for alice whatever the body names
    HttpURI uri = HttpURI.from("http://localhost/j_security_check?j_username=alice&j_password=x");
    Request request =
        (Request)
            Proxy.newProxyInstance(
                CoreRequestFactsTest.class.getClassLoader(),
                new Class<?>[] {Request.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getHeaders" -> HttpFields.EMPTY;
                      case "getHttpURI" -> uri;
                      default -> null;
                    });

    assertThat(RequestFacts.of(request).formParameter(request, "j_username")).isEqualTo("alice");
  }
}
