package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Reads a Netty-based server's request: Reactor Netty's {@code HttpServerRequest} (headers from
 * {@code requestHeaders()}) or Netty's own {@code HttpRequest} ({@code headers()}), both with the
 * raw target from {@code uri()}. Reflective, through the public interface's methods found once per
 * request class: the application's Netty is not the agent's (relocated) one.
 */
final class NettyRequestFacts extends HeaderMapRequestFacts {

  private NettyRequestFacts(Method headers, Method uri) throws NoSuchMethodException {
    super("Netty", headers, uri);
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
}
