package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Reads a request whose headers are a map-like object with {@code get(String)} and whose raw target
 * comes from {@code uri()}: the shape Netty, Reactor Netty and Vert.x share. Reflective, through
 * public methods found once per request class by the subclass. Such servers have no request
 * attributes, and form fields are not read (the body has not arrived when the request is decided):
 * both null.
 */
abstract class HeaderMapRequestFacts implements RequestFacts {

  private final String server;
  private final Method headers;
  private final Method uri;
  private final Method headerValue;

  /**
   * @param server names the server in the log line of a failed read
   * @param headers the request's no-argument method returning its header map
   * @param uri the request's no-argument method returning its raw target
   */
  HeaderMapRequestFacts(String server, Method headers, Method uri) throws NoSuchMethodException {
    this.server = server;
    this.headers = headers;
    this.uri = uri;
    // the declared return type (Netty's HttpHeaders, Vert.x's MultiMap) is public: get(String) is
    // its own
    this.headerValue = headers.getReturnType().getMethod("get", String.class);
  }

  @Override
  public final String header(Object request, String name) {
    Object all = call(headers, request);
    if (all == null) {
      return null;
    }
    try {
      Object value = headerValue.invoke(all, name);
      return value == null ? null : value.toString();
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading a header of a " + server + " request failed", failure);
      return null;
    }
  }

  @Override
  public final String queryParameter(Object request, String name) {
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
  public final String formParameter(Object request, String name) {
    return null;
  }

  @Override
  public final String attribute(Object request, String name) {
    return null;
  }

  private Object call(Method method, Object request) {
    try {
      return method.invoke(request);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading " + method.getName() + " of a " + server + " request failed", failure);
      return null;
    }
  }
}
