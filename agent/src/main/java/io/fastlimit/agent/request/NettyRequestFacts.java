package io.fastlimit.agent.request;

import io.fastlimit.agent.instrument.netty.AppNames;
import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Reads a Netty-based server's request: Reactor Netty's {@code HttpServerRequest} (headers from
 * {@code requestHeaders()}) or Netty's own {@code HttpRequest} ({@code headers()}), both with the
 * raw target from {@code uri()}. Reflective, through the public interface's methods found once per
 * request class: the application's Netty is not the agent's (relocated) one. Netty servers have no
 * request attributes and form fields are not read (the body has not arrived when the request is
 * decided): both null.
 */
final class NettyRequestFacts implements RequestFacts {

  private final Method headers;
  private final Method uri;
  private final Method headerValue;

  private NettyRequestFacts(Method headers, Method uri) throws NoSuchMethodException {
    this.headers = headers;
    this.uri = uri;
    // the declared return type is Netty's abstract HttpHeaders, public: get(String) is its own
    this.headerValue = headers.getReturnType().getMethod("get", String.class);
  }

  /** The reader for a Reactor Netty or Netty request class, else null. */
  static RequestFacts forType(Class<?> type) {
    Class<?> reactor = implemented(type, REACTOR_REQUEST);
    Class<?> netty = reactor == null ? implemented(type, NETTY_REQUEST) : null;
    if (reactor == null && netty == null) {
      return null;
    }
    try {
      return reactor != null
          ? new NettyRequestFacts(reactor.getMethod("requestHeaders"), reactor.getMethod("uri"))
          : new NettyRequestFacts(netty.getMethod("headers"), netty.getMethod("uri"));
    } catch (NoSuchMethodException | RuntimeException notNetty) {
      AgentLog.once("a Netty request type cannot be read: " + type.getName(), notNetty);
      return null;
    }
  }

  // the application's, not the agent's relocated copies
  private static final String REACTOR_REQUEST =
      AppNames.original("reactor.netty.http.server.HttpServerRequest");
  private static final String NETTY_REQUEST =
      AppNames.original("io.netty.handler.codec.http.HttpRequest");

  private static Class<?> implemented(Class<?> type, String interfaceName) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        Class<?> found = find(implemented, interfaceName);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> find(Class<?> candidate, String interfaceName) {
    if (candidate.getName().equals(interfaceName)) {
      return candidate;
    }
    for (Class<?> parent : candidate.getInterfaces()) {
      Class<?> found = find(parent, interfaceName);
      if (found != null) {
        return found;
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
      AgentLog.once("reading a header of a Netty request failed", failure);
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
      AgentLog.once("reading " + method.getName() + " of a Netty request failed", failure);
      return null;
    }
  }
}
