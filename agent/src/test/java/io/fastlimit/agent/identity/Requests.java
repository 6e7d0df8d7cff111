package io.fastlimit.agent.identity;

import java.lang.reflect.Proxy;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;

/** Servlet requests for identity tests: headers and attributes as given, nothing else. */
final class Requests {

  private Requests() {}

  static HttpServletRequest with(Map<String, String> headers, Map<String, Object> attributes) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            Requests.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getHeader":
                  return headers.get((String) args[0]);
                case "getAttribute":
                  return attributes.get((String) args[0]);
                default:
                  return null;
              }
            });
  }

  static HttpServletRequest withHeader(String name, String value) {
    return with(Map.of(name, value), Map.of());
  }
}
