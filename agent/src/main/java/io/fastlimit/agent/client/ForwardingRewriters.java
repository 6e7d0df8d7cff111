package io.fastlimit.agent.client;

import io.fastlimit.agent.observe.AgentLog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent says, once each, about the components in the application that rewrite the client
 * address from X-Forwarded-For before the agent looks (reported by the instrumentation when one is
 * created). Where the agent can read what the container received, it says so; where it cannot, it
 * says what the operator should set.
 */
public final class ForwardingRewriters {

  public static final String TOMCAT_VALVE = "tomcat-remote-ip-valve";
  public static final String TOMCAT_FILTER = "tomcat-remote-ip-filter";
  public static final String SPRING_FILTER = "spring-forwarded-header-filter";
  public static final String JETTY_CUSTOMIZER = "jetty-forwarded-request-customizer";
  public static final String JETTY12_CUSTOMIZER = "jetty12-forwarded-request-customizer";
  public static final String UNDERTOW_HANDLER = "undertow-proxy-peer-address-handler";

  private static final String APPLIED =
      " and applies its own trusted-proxies to those, never on top of the rewritten values.";

  private static final Set<String> reported = ConcurrentHashMap.newKeySet();

  private ForwardingRewriters() {}

  /** Logs what the agent does about the component with this key, the first time it is seen. */
  public static void seen(String component) {
    String message = describe(component);
    if (message == null || !reported.add(component)) {
      return; // unknown keys are dropped before the set, which stays as small as the list below
    }
    if (component.equals(JETTY12_CUSTOMIZER) || component.equals(UNDERTOW_HANDLER)) {
      AgentLog.warn(message); // the agent cannot see past these: the operator has to act
    } else {
      AgentLog.info(message);
    }
  }

  /** The message for a component key, null for a key the agent does not know. */
  static String describe(String component) {
    if (component == null) {
      return null;
    }
    switch (component) {
      case TOMCAT_VALVE:
        return "Tomcat's RemoteIpValve rewrites the client address and X-Forwarded-For of requests"
            + " from its internal proxies (Spring Boot turns it on by itself on Kubernetes and with"
            + " server.forward-headers-strategy=native). The agent takes the connection's peer and"
            + " X-Forwarded-For as Tomcat received them, kept before the valve changes them,"
            + APPLIED;
      case TOMCAT_FILTER:
        return "Tomcat's RemoteIpFilter rewrites the client address in a request wrapper. The agent"
            + " reads the connection's peer and X-Forwarded-For from the request underneath"
            + " wrappers, as Tomcat received them,"
            + APPLIED;
      case SPRING_FILTER:
        return "Spring's ForwardedHeaderFilter rewrites the client address (to the leftmost"
            + " X-Forwarded-For entry) and hides the forwarding headers, in a request wrapper"
            + " (server.forward-headers-strategy=framework). The agent reads the connection's peer"
            + " and X-Forwarded-For from the request underneath wrappers, as the container"
            + " received them,"
            + APPLIED;
      case JETTY_CUSTOMIZER:
        return "Jetty's ForwardedRequestCustomizer rewrites the client address (to the leftmost"
            + " X-Forwarded-For entry). The agent takes the connection's peer as Jetty received"
            + " it, kept before the customizer changes it, and X-Forwarded-For as sent,"
            + APPLIED;
      case JETTY12_CUSTOMIZER:
        return "Jetty's ForwardedRequestCustomizer rewrites the client address to the leftmost"
            + " X-Forwarded-For entry, which a client can write, and on Jetty 12 the agent cannot"
            + " see the connection's peer underneath it: with trusted-proxies: 0 a request that"
            + " carries X-Forwarded-For is counted under that entry. Jetty leaves the header as"
            + " sent, so with trusted-proxies: N (the proxies in front of the app, N >= 1) the"
            + " agent still picks the client itself. Set trusted-proxies to that number, or remove"
            + " the customizer (Spring Boot: server.forward-headers-strategy=framework or none"
            + " instead of native, which Kubernetes turns on by itself).";
      case UNDERTOW_HANDLER:
        return "Undertow's proxy-address-forwarding (ProxyPeerAddressHandler) rewrites the"
            + " client address to the leftmost X-Forwarded-For entry, which a client can write,"
            + " and the agent cannot see the connection's peer underneath it: with"
            + " trusted-proxies: 0 a request that carries X-Forwarded-For is counted under that"
            + " entry. Undertow leaves the header as sent, so with trusted-proxies: N (the"
            + " proxies in front of the app, N >= 1) the agent still picks the client itself."
            + " Set trusted-proxies to that number, or turn the forwarding off (Spring Boot:"
            + " server.forward-headers-strategy=framework or none instead of native, which"
            + " Kubernetes turns on by itself).";
      default:
        return null;
    }
  }
}
