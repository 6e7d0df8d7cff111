package io.fastlimit.agent.client;

import io.fastlimit.agent.observe.AgentLog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent says, once each, about the components in the application that rewrite the client
 * address from X-Forwarded-For before the agent looks (reported by the instrumentation when one is
 * created), each with how the agent reads what the container received underneath it.
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
    AgentLog.info(message);
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
        return "Jetty 12's ForwardedRequestCustomizer rewrites the client address (to the leftmost"
            + " X-Forwarded-For entry) in a request wrapper. The agent takes the connection's peer"
            + " and X-Forwarded-For as Jetty received them, kept before the customizer wraps the"
            + " request,"
            + APPLIED;
      case UNDERTOW_HANDLER:
        return "Undertow's proxy-address-forwarding (ProxyPeerAddressHandler) rewrites the"
            + " client address (to the leftmost X-Forwarded-For entry) of the exchange. The agent"
            + " takes the connection's peer, which Undertow leaves as received, and X-Forwarded-For"
            + " as sent,"
            + APPLIED;
      default:
        return null;
    }
  }
}
