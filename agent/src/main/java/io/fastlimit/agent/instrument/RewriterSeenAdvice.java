package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of the constructors of the components that rewrite the client address
 * (Tomcat's RemoteIpValve and RemoteIpFilter, Spring's ForwardedHeaderFilter, Jetty's
 * ForwardedRequestCustomizer, Undertow's ProxyPeerAddressHandler): tells the bridge which one is in
 * use, so the agent can say once, at start-up, what it does about it.
 */
public final class RewriterSeenAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.RewriterSeenAdvice";

  private RewriterSeenAdvice() {}

  /** Bound per instrumented type to the component's key (see {@code ForwardingRewriters}). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.PARAMETER)
  public @interface Component {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Component String component) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge != null) {
      bridge.rewriterSeen(component);
    }
  }
}
