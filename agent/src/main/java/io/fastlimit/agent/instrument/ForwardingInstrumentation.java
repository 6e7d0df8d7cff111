package io.fastlimit.agent.instrument;

import static io.fastlimit.agent.client.ForwardingRewriters.JETTY12_CUSTOMIZER;
import static io.fastlimit.agent.client.ForwardingRewriters.JETTY_CUSTOMIZER;
import static io.fastlimit.agent.client.ForwardingRewriters.SPRING_FILTER;
import static io.fastlimit.agent.client.ForwardingRewriters.TOMCAT_FILTER;
import static io.fastlimit.agent.client.ForwardingRewriters.TOMCAT_VALVE;
import static io.fastlimit.agent.client.ForwardingRewriters.UNDERTOW_HANDLER;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The advice around the components that resolve X-Forwarded-For before the agent looks: it keeps
 * what the container received where the container rewrites it in place ({@link
 * ReceivedAddressAdvice}), before Jetty 12's customizer wraps the request ({@link
 * Jetty12ReceivedAddressAdvice}) and beside Undertow's rewritten exchange ({@link
 * UndertowReceivedAddressAdvice}), and reports which such components are in use ({@link
 * RewriterSeenAdvice}). Request wrappers need nothing here: the servlet advice reads beneath them.
 */
final class ForwardingInstrumentation {

  private static final String JETTY_CUSTOMIZER_CLASS =
      "org.eclipse.jetty.server.ForwardedRequestCustomizer";

  private ForwardingInstrumentation() {}

  static AgentBuilder extend(AgentBuilder builder, ResolvedAdvice.Source advice) {
    return builder
        .type(requestRewrittenInPlace("javax.servlet"))
        .transform(received(ReceivedAddressAdvice.NAME, advice))
        .type(requestRewrittenInPlace("jakarta.servlet"))
        .transform(received(JakartaAdvice.RECEIVED_ADDRESS_NAME, advice))
        .type(named("org.apache.catalina.valves.RemoteIpValve"))
        .transform(seen(TOMCAT_VALVE, advice))
        .type(named("org.apache.catalina.filters.RemoteIpFilter"))
        .transform(seen(TOMCAT_FILTER, advice))
        .type(named("org.springframework.web.filter.ForwardedHeaderFilter"))
        .transform(seen(SPRING_FILTER, advice))
        // up to Jetty 11 the customizer calls Request.setRemoteAddr; Jetty 12 wraps the request
        .type(named(JETTY_CUSTOMIZER_CLASS).and(declaresMethod(customize(3))))
        .transform(seen(JETTY_CUSTOMIZER, advice))
        .type(named(JETTY_CUSTOMIZER_CLASS).and(not(declaresMethod(customize(3)))))
        .transform(seen(JETTY12_CUSTOMIZER, advice))
        .transform(advice.advice(customize(2), Jetty12ReceivedAddressAdvice.NAME))
        .type(named("io.undertow.server.handlers.ProxyPeerAddressHandler"))
        .transform(seen(UNDERTOW_HANDLER, advice))
        // the handler rewrites the exchange's source address; the servlet request made after it
        // still reaches the connection's peer
        .type(named("io.undertow.servlet.spec.HttpServletRequestImpl"))
        .transform(
            advice.advice(
                isConstructor().and(takesArguments(2)), UndertowReceivedAddressAdvice.NAME));
  }

  /** The container request classes whose setRemoteAddr the forwarding components call. */
  private static ElementMatcher.Junction<TypeDescription> requestRewrittenInPlace(
      String servletPackage) {
    return named("org.apache.catalina.connector.Request")
        .or(named("org.eclipse.jetty.server.Request"))
        .and(not(isInterface()))
        .and(hasSuperType(named(servletPackage + ".http.HttpServletRequest")));
  }

  private static ElementMatcher.Junction<MethodDescription> customize(int arguments) {
    return named("customize").and(takesArguments(arguments));
  }

  private static AgentBuilder.Transformer received(
      String adviceClass, ResolvedAdvice.Source advice) {
    return advice.advice(named("setRemoteAddr").and(takesArguments(1)), adviceClass);
  }

  private static AgentBuilder.Transformer seen(String component, ResolvedAdvice.Source advice) {
    return advice.advice(
        Advice.withCustomMapping().bind(RewriterSeenAdvice.Component.class, component),
        isConstructor(),
        RewriterSeenAdvice.NAME);
  }
}
