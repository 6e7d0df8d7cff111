package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Reads a Vert.x server request ({@code io.vertx.core.http.HttpServerRequest}, Vert.x 4.5 and 5):
 * headers from {@code headers().get(name)}, the raw target from {@code uri()}. Reflective, through
 * the public interface's methods found once per request class: the agent's classes cannot see the
 * application's Vert.x. Vert.x requests have no attributes, and form fields are not read (the body
 * has not arrived when the request is decided): both null.
 */
final class VertxRequestFacts implements RequestFacts {

  private static final String VERTX_REQUEST = "io.vertx.core.http.HttpServerRequest";

  private final Method headers;
  private final Method uri;
  private final Method headerValue;

  private VertxRequestFacts(Class<?> request) throws NoSuchMethodException {
    this.headers = request.getMethod("headers");
    this.uri = request.getMethod("uri");
    this.headerValue = headers.getReturnType().getMethod("get", String.class); // MultiMap's
  }

  /** The reader for a Vert.x server request class, else null. */
  static RequestFacts forType(Class<?> type) {
    Class<?> request = implemented(type);
    if (request == null) {
      return null;
    }
    try {
      return new VertxRequestFacts(request);
    } catch (NoSuchMethodException | RuntimeException notVertx) {
      AgentLog.once("a Vert.x request type cannot be read: " + type.getName(), notVertx);
      return null;
    }
  }

  private static Class<?> implemented(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        if (implemented.getName().equals(VERTX_REQUEST)) {
          return implemented;
        }
      }
    }
    return null;
  }

  @Override
  public String header(Object request, String name) {
    Object all = call(headers, request);
    if (all == null) {
      return null;
    }
    try {
      Object value = headerValue.invoke(all, name);
      return value == null ? null : value.toString();
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading a header of a Vert.x request failed", failure);
      return null;
    }
  }

  @Override
  public String queryParameter(Object request, String name) {
    Object target = call(uri, request);
    if (target == null) {
      return null;
    }
    String text = target.toString();
    int query = text.indexOf('?');
    if (query < 0) {
      return null;
    }
    int fragment = text.indexOf('#', query);
    String raw = text.substring(query + 1, fragment < 0 ? text.length() : fragment);
    return ServletRequestFacts.QueryString.parameter(raw, name);
  }

  @Override
  public String formParameter(Object request, String name) {
    return null;
  }

  @Override
  public String attribute(Object request, String name) {
    return null;
  }

  private static Object call(Method method, Object request) {
    try {
      return method.invoke(request);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading " + method.getName() + " of a Vert.x request failed", failure);
      return null;
    }
  }
}
