package io.fastlimit.agent.instrument;

import io.fastlimit.agent.request.AppNames;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Which classes the agent may instrument, decided from a class's name and class file alone, with
 * JDK classes only (no Byte Buddy): the servlets and filters by a byte search ({@link
 * #mayDeclareEntryPoint}), every other type the instrumentations name (front doors, forwarding
 * components, Reactor Netty, Micronaut, Vert.x) and the servers {@code UnlimitedServers} watches
 * for, by name. It is the one list for both the agent's start gate ({@link StartGate}) and the Byte
 * Buddy builder, which ignores every class it turns down: a type added to an instrumentation but
 * not here is never instrumented, so its test fails at once instead of the two lists drifting.
 */
final class EntryPointNames {

  private static final byte[] REQUEST = ascii("servlet/ServletRequest;");
  private static final byte[] SERVICE = ascii("service");
  private static final byte[] DO_FILTER = ascii("doFilter");

  /** Never instrumented: the JDK's classes and the agent's (names in internal form). */
  private static final String[] IGNORED_PREFIXES = {
    "java/", "jdk/", "sun/", "com/sun/", "io/fastlimit/agent/", "io/fastlimit/bootstrap/"
  };

  private static final Set<String> SERVLET_TYPES =
      new HashSet<>(
          Arrays.asList(
              "javax.servlet.Servlet",
              "javax.servlet.Filter",
              "jakarta.servlet.Servlet",
              "jakarta.servlet.Filter"));

  private static final String[] IGNORED_PACKAGES = new String[IGNORED_PREFIXES.length];

  /** The types instrumented or watched by name, in internal form. */
  private static final Set<String> NAMED = new HashSet<>();

  static {
    String[] named = {
      // FrontDoorInstrumentation
      "org.apache.catalina.connector.CoyoteAdapter",
      "org.apache.catalina.connector.Request",
      "org.eclipse.jetty.server.Server",
      "org.eclipse.jetty.server.HttpChannel",
      "io.undertow.server.Connectors",
      "io.undertow.server.HttpServerExchange",
      "io.undertow.servlet.util.DispatchUtils",
      // ForwardingInstrumentation
      "org.eclipse.jetty.server.Request",
      "org.apache.catalina.valves.RemoteIpValve",
      "org.apache.catalina.filters.RemoteIpFilter",
      "org.springframework.web.filter.ForwardedHeaderFilter",
      "org.eclipse.jetty.server.ForwardedRequestCustomizer",
      "io.undertow.server.handlers.ProxyPeerAddressHandler",
      "io.undertow.servlet.spec.HttpServletRequestImpl",
      // netty.NettyInstrumentation
      AppNames.original("reactor.netty.http.server.HttpServer$HttpServerHandle"),
      AppNames.original("reactor.netty.channel.ChannelOperations"),
      // netty.MicronautInstrumentation
      "io.micronaut.http.server.netty.RoutingInBoundHandler",
      "io.micronaut.http.server.netty.handler.PipeliningServerHandler",
      "io.micronaut.http.server.netty.handler.PipeliningServerHandler$OutboundAccessImpl",
      "io.micronaut.http.server.netty.handler.MultiplexedServerHandler$MultiplexedStream",
      "io.micronaut.http.server.netty.handler.Http2ServerHandler$ConnectionHandler",
      // vertx.VertxInstrumentation
      "io.vertx.core.impl.ContextBase",
      "io.vertx.core.impl.ContextImpl",
      "io.vertx.core.impl.DuplicatedContext",
      "io.vertx.core.http.impl.Http2ServerRequest",
      "io.vertx.core.http.impl.Http1xServerConnection",
      "io.vertx.core.http.impl.Http1xServerResponse",
      "io.vertx.core.http.impl.Http2ServerResponse",
      // netty.UnlimitedServers: servers named in the log when they start
      "sun.net.httpserver.ServerImpl",
      "org.glassfish.grizzly.http.server.HttpServer",
      "io.helidon.webserver.WebServer",
      AppNames.original("io.netty.handler.codec.http.HttpRequestDecoder"),
      "io.micronaut.http.server.netty.NettyHttpServer",
    };
    for (String name : named) {
      NAMED.add(name.replace('.', '/'));
    }
    for (int i = 0; i < IGNORED_PREFIXES.length; i++) {
      IGNORED_PACKAGES[i] = IGNORED_PREFIXES[i].replace('/', '.');
    }
  }

  private EntryPointNames() {}

  /** True for the types instrumented or watched by name (internal form). */
  static boolean named(String internalName) {
    return NAMED.contains(internalName);
  }

  /**
   * False only when the class (internal name, class file) is none the agent instruments or watches.
   */
  static boolean mayBeInstrumented(String internalName, byte[] classFile) {
    if (NAMED.contains(internalName)) {
      return true;
    }
    for (String prefix : IGNORED_PREFIXES) {
      if (internalName.startsWith(prefix)) {
        return false;
      }
    }
    return mayDeclareEntryPoint(classFile);
  }

  /**
   * False only when the loaded class is none the agent instruments or watches: not named, and no
   * servlet or filter of either API among its super types. Names only, through plain reflection,
   * for the classes already loaded at attach: Byte Buddy's own matchers describe each of them.
   */
  static boolean mayBeInstrumented(Class<?> loaded) {
    String name = loaded.getName();
    if (NAMED.contains(name.replace('.', '/'))) {
      return true;
    }
    for (String prefix : IGNORED_PACKAGES) {
      if (name.startsWith(prefix)) {
        return false;
      }
    }
    return !loaded.isInterface() && servletOrFilter(loaded);
  }

  private static boolean servletOrFilter(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        if (SERVLET_TYPES.contains(implemented.getName()) || servletOrFilter(implemented)) {
          return true;
        }
      }
    }
    return false;
  }

  /** False only when the class file cannot declare a servlet's or a filter's entry method. */
  static boolean mayDeclareEntryPoint(byte[] classFile) {
    return indexOf(classFile, REQUEST) >= 0
        && (indexOf(classFile, SERVICE) >= 0 || indexOf(classFile, DO_FILTER) >= 0);
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    int last = data.length - pattern.length;
    byte first = pattern[0];
    outer:
    for (int i = 0; i <= last; i++) {
      if (data[i] != first) {
        continue;
      }
      for (int j = 1; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
