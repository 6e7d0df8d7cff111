package io.fastlimit.agent.limit;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;

/** Servlet requests for login tests of other packages: what the account is read from. */
public final class LoginRequests {

  private LoginRequests() {}

  /** A request whose only content is one header. */
  public static HttpServletRequest withHeader(String name, String value) {
    return servlet(null, null, null, Map.of(), Map.of(name, value));
  }

  /**
   * A servlet request with this query string, content type and character encoding, whose {@code
   * getParameter} answers {@code parameters} and {@code getHeader} {@code headers} (names in any
   * case; with a content type, Content-Type is it and Content-Length 40 unless {@code headers} say
   * otherwise); anything else null.
   */
  public static HttpServletRequest servlet(
      String query,
      String contentType,
      String encoding,
      Map<String, String> parameters,
      Map<String, String> headers) {
    Map<String, String> byName = new HashMap<>();
    headers.forEach((name, value) -> byName.put(name.toLowerCase(), value));
    if (contentType != null) {
      byName.putIfAbsent("content-type", contentType);
      byName.putIfAbsent("content-length", "40"); // a small body of known length, as browsers send
    }
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            LoginRequests.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getQueryString" -> query;
                  case "getContentType" -> contentType;
                  case "getCharacterEncoding" -> encoding;
                  case "getParameter" -> parameters.get((String) args[0]);
                  case "getHeader" -> byName.get(((String) args[0]).toLowerCase());
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> null;
                });
  }
}
