package io.fastlimit.agent.limit;

import java.lang.reflect.Proxy;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;

/** Servlet requests for login tests of other packages: what the account is read from. */
public final class LoginRequests {

  private LoginRequests() {}

  /** A request whose only content is one header. */
  public static HttpServletRequest withHeader(String name, String value) {
    Map<String, String> headers = Map.of(name.toLowerCase(), value);
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            LoginRequests.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getHeader" -> headers.get(((String) args[0]).toLowerCase());
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> null;
                });
  }
}
