package io.fastlimit.agent.instrument.netty;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.request.AppNames;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.utility.JavaModule;

/**
 * Names, once each, the HTTP servers the agent sees start but does not limit, so running one is
 * never silent: the agent would otherwise attach, log its rules and count nothing. A server is
 * recognised by a class it loads when it starts. A bare Netty HTTP server (Netty's request decoder
 * without a server framework the agent knows next to it) is named as such.
 */
final class UnlimitedServers extends AgentBuilder.Listener.Adapter {

  /** A class each unlimited server loads as it starts, and how the log names the server. */
  private static final Map<String, String> SERVERS = new HashMap<>();

  /** Classes a framework the agent limits, or names itself, loads next to Netty's decoder. */
  private static final String[] KNOWN_FRAMEWORKS = {
    AppNames.original("reactor/netty/http/server/HttpServer") + ".class",
    "io/vertx/core/http/HttpServer.class",
    "io/micronaut/http/server/netty/NettyHttpServer.class",
  };

  private static final String MICRONAUT_SERVER = "io.micronaut.http.server.netty.NettyHttpServer";
  private static final String MICRONAUT_4_4 =
      "io/micronaut/http/server/netty/handler/OutboundAccess.class";

  private static final String NETTY_DECODER =
      AppNames.original("io.netty.handler.codec.http.HttpRequestDecoder");

  static {
    SERVERS.put("sun.net.httpserver.ServerImpl", "the JDK's HTTP server (com.sun.net.httpserver)");
    SERVERS.put("org.glassfish.grizzly.http.server.HttpServer", "Grizzly's HTTP server");
    SERVERS.put("io.helidon.webserver.WebServer", "Helidon's web server");
  }

  private final Map<String, Boolean> named = new ConcurrentHashMap<>();

  @Override
  public void onDiscovery(
      String typeName, ClassLoader classLoader, JavaModule module, boolean loaded) {
    String server = SERVERS.get(typeName);
    if (server == null && typeName.equals(NETTY_DECODER) && !knowsFramework(classLoader)) {
      server = "a Netty HTTP server";
    }
    if (typeName.equals(MICRONAUT_SERVER) && resource(classLoader, MICRONAUT_4_4) == null) {
      server = "Micronaut before 4.4 (its Netty server)"; // the advice needs its OutboundAccess
    }
    if (server != null && named.putIfAbsent(server, Boolean.TRUE) == null) {
      AgentLog.warn(
          server
              + " started ("
              + typeName
              + "): the agent does not limit it, and its requests pass unlimited. Limited:"
              + " servlet containers, Reactor Netty (Spring WebFlux, Spring Cloud Gateway), Vert.x"
              + " (Quarkus REST) and Micronaut 4.");
    }
  }

  private static boolean knowsFramework(ClassLoader classLoader) {
    for (String framework : KNOWN_FRAMEWORKS) {
      if (resource(classLoader, framework) != null) {
        return true;
      }
    }
    return false;
  }

  private static Object resource(ClassLoader classLoader, String name) {
    ClassLoader loader = classLoader != null ? classLoader : ClassLoader.getSystemClassLoader();
    return loader.getResource(name);
  }
}
