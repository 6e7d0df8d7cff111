package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.FormBodies;
import java.lang.reflect.Method;

/**
 * Reads the request objects of the container front doors that are no servlet request: Jetty 12's
 * core {@code org.eclipse.jetty.server.Request} and Undertow's {@code HttpServerExchange}, through
 * their public methods, found once per class (the agent's classes cannot see the server's). A
 * header, the query string and (Jetty) an attribute change nothing the application sees. A form
 * field is read from Undertow's exchange by {@link UndertowFormBody}, which hands the body back to
 * Undertow, and from Jetty 12's body that the agent replays to the application ({@link
 * ReplayedFormBody}).
 */
final class CoreRequestFacts implements RequestFacts {

  private static final String JETTY_REQUEST = "org.eclipse.jetty.server.Request";

  /** The request's header collection: Jetty's getHeaders(), Undertow's getRequestHeaders(). */
  private final Method headers;

  /** The first value of a header by name, on that collection. */
  private final Method firstHeader;

  /** Jetty: getHttpURI(), then its getQuery(); Undertow: getQueryString() alone. */
  private final Method uri;

  private final Method query;
  private final Method getAttribute;

  /** Undertow's exchange, whose form body {@link UndertowFormBody} reads and hands back. */
  private final boolean undertow;

  private CoreRequestFacts(
      Method headers,
      Method firstHeader,
      Method uri,
      Method query,
      Method getAttribute,
      boolean undertow) {
    this.headers = headers;
    this.firstHeader = firstHeader;
    this.uri = uri;
    this.query = query;
    this.getAttribute = getAttribute;
    this.undertow = undertow;
  }

  /** The reader for Jetty 12's core request or Undertow's exchange, else null. */
  static RequestFacts forType(Class<?> type) {
    try {
      Class<?> jetty = implemented(type, JETTY_REQUEST);
      if (jetty != null) {
        Method headers = jetty.getMethod("getHeaders");
        Method uri = jetty.getMethod("getHttpURI");
        Class<?> attributes = implemented(type, "org.eclipse.jetty.util.Attributes");
        return new CoreRequestFacts(
            headers,
            headers.getReturnType().getMethod("get", String.class),
            uri,
            uri.getReturnType().getMethod("getQuery"),
            attributes == null ? null : attributes.getMethod("getAttribute", String.class),
            false);
      }
      if (UndertowFormBody.isExchange(type)) {
        Method headers = type.getMethod("getRequestHeaders");
        return new CoreRequestFacts(
            headers,
            headers.getReturnType().getMethod("getFirst", String.class),
            null,
            type.getMethod("getQueryString"),
            null,
            true);
      }
    } catch (NoSuchMethodException | RuntimeException notKnown) {
      AgentLog.once("a server's request type cannot be read: " + type.getName(), notKnown);
    }
    return null;
  }

  /** The interface of that name that the type implements, or null. */
  private static Class<?> implemented(Class<?> type, String name) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> candidate : at.getInterfaces()) {
        Class<?> found = find(candidate, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> find(Class<?> candidate, String name) {
    if (candidate.getName().equals(name)) {
      return candidate;
    }
    for (Class<?> parent : candidate.getInterfaces()) {
      Class<?> found = find(parent, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Override
  public String header(Object request, String name) {
    Object fields = call(headers, request, null);
    Object value = fields == null ? null : call(firstHeader, fields, name);
    return value == null ? null : value.toString();
  }

  @Override
  public String queryParameter(Object request, String name) {
    Object target = uri == null ? request : call(uri, request, null);
    Object text = target == null ? null : call(query, target, null);
    return text == null ? null : ServletRequestFacts.QueryString.parameter(text.toString(), name);
  }

  /**
   * Jetty 12: read from the raw body when the front door handed the request on in the agent's
   * replaying request ({@link ReplayedFormBody}), which it does only for an urlencoded form of
   * known length up to 16 KiB; on Undertow from the exchange's raw body ({@link UndertowFormBody});
   * else null.
   */
  @Override
  public String formParameter(Object request, String name) {
    if (undertow) {
      String contentType = header(request, "Content-Type");
      if (contentType == null || !FormBodies.isUrlEncodedForm(contentType)) {
        return null;
      }
      return UndertowFormBody.field(request, name);
    }
    // Jetty 12's FORM authenticator, like getParameter, takes the query string's fields before
    // the body's (Fields.combine of the query's and the form's): so does the account
    String inQuery = queryParameter(request, name);
    if (inQuery != null) {
      return inQuery;
    }
    return ReplayedFormBody.is(request) ? ReplayedFormBody.field(request, name) : null;
  }

  @Override
  public String attribute(Object request, String name) {
    Object value = getAttribute == null ? null : call(getAttribute, request, name);
    return value == null ? null : value.toString();
  }

  private static Object call(Method method, Object target, String argument) {
    try {
      return argument == null ? method.invoke(target) : method.invoke(target, argument);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading " + method.getName() + " of a server's request failed", failure);
      return null;
    }
  }
}
