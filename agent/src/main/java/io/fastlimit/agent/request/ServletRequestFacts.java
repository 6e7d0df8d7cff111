package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Reads an {@code HttpServletRequest} of either namespace through the interface's own methods,
 * found once per request class. Reading a header, the query string or an attribute changes nothing
 * the application sees. Form fields are not read here yet (null).
 */
final class ServletRequestFacts implements RequestFacts {

  private final Method getHeader;
  private final Method getQueryString;
  private final Method getAttribute;

  private ServletRequestFacts(Class<?> servletRequest) throws NoSuchMethodException {
    this.getHeader = servletRequest.getMethod("getHeader", String.class);
    this.getQueryString = servletRequest.getMethod("getQueryString");
    this.getAttribute = servletRequest.getMethod("getAttribute", String.class);
  }

  /** The reader for a class implementing {@code HttpServletRequest}, else null. */
  static RequestFacts forType(Class<?> type) {
    Class<?> api = httpServletRequest(type);
    if (api == null) {
      return null;
    }
    try {
      return new ServletRequestFacts(api);
    } catch (NoSuchMethodException | RuntimeException notServletApi) {
      AgentLog.once("a servlet request type cannot be read: " + type.getName(), notServletApi);
      return null;
    }
  }

  private static Class<?> httpServletRequest(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        Class<?> found = findApi(implemented);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> findApi(Class<?> candidate) {
    String name = candidate.getName();
    if (name.equals("javax.servlet.http.HttpServletRequest")
        || name.equals("jakarta.servlet.http.HttpServletRequest")) {
      return candidate;
    }
    for (Class<?> parent : candidate.getInterfaces()) {
      Class<?> found = findApi(parent);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Override
  public String header(Object request, String name) {
    Object value = call(getHeader, request, name);
    return value == null ? null : value.toString();
  }

  @Override
  public String queryParameter(Object request, String name) {
    Object query = call(getQueryString, request, null);
    return query == null ? null : QueryString.parameter(query.toString(), name);
  }

  @Override
  public String formParameter(Object request, String name) {
    return null;
  }

  @Override
  public String attribute(Object request, String name) {
    Object value = call(getAttribute, request, name);
    return value == null ? null : value.toString();
  }

  private static Object call(Method method, Object request, String argument) {
    try {
      return argument == null ? method.invoke(request) : method.invoke(request, argument);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading " + method.getName() + " of a servlet request failed", failure);
      return null;
    }
  }

  /** The first value of one parameter in a raw query string, percent-decoded as UTF-8. */
  static final class QueryString {
    private QueryString() {}

    static String parameter(String query, String name) {
      int start = 0;
      while (start <= query.length()) {
        int end = query.indexOf('&', start);
        if (end < 0) {
          end = query.length();
        }
        int equals = query.indexOf('=', start);
        int nameEnd = equals < 0 || equals > end ? end : equals;
        if (name.equals(decode(query.substring(start, nameEnd)))) {
          return nameEnd == end ? "" : decode(query.substring(nameEnd + 1, end));
        }
        start = end + 1;
      }
      return null;
    }

    private static String decode(String text) {
      try {
        return URLDecoder.decode(text, StandardCharsets.UTF_8.name());
      } catch (java.io.UnsupportedEncodingException | IllegalArgumentException malformed) {
        return text;
      }
    }
  }
}
