package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.bootstrap.FormBodies;
import io.fastlimit.bootstrap.FrontDoor;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The containers' front doors, where the rules of {@code stage: container} are decided before the
 * container's own valves, authenticators and filters: Tomcat's connector adapter ({@link
 * TomcatFrontDoorAdvice}, completion in {@link TomcatCompletedAdvice}), Jetty 12's server ({@link
 * Jetty12FrontDoorAdvice}), Jetty 9.4-11's channel ({@link JettyChannelFrontDoorAdvice}, completion
 * in {@link JettyChannelCompletedAdvice}) and Undertow's root handler ({@link
 * UndertowFrontDoorAdvice}, completion in {@link UndertowCompletedAdvice}, forward target from
 * {@link UndertowForwardAdvice}).
 */
final class FrontDoorInstrumentation {

  private FrontDoorInstrumentation() {}

  /** Jetty 9.4-11's private HttpChannel.dispatch(DispatcherType, Dispatchable) of one API. */
  private static ElementMatcher.Junction<MethodDescription> jettyChannelDispatch(
      String servletPackage) {
    return named("dispatch")
        .and(takesArguments(2))
        .and(takesArgument(0, named(servletPackage + ".DispatcherType")));
  }

  /**
   * Jetty 9.4-11's HttpChannel.onCompleted(), in the class whose dispatch names this API (the
   * method itself names no servlet type).
   */
  private static ElementMatcher.Junction<MethodDescription> jettyChannelCompleted(
      String servletPackage) {
    return named("onCompleted")
        .and(takesArguments(0))
        .and(isDeclaredBy(declaresMethod(jettyChannelDispatch(servletPackage))));
  }

  static AgentBuilder extend(AgentBuilder builder, ResolvedAdvice.Source advice) {
    FrontDoor.responses(new CoreResponses()); // reads Jetty's response when a request completes
    FormBodies.jetty12(new Jetty12FormBodies()); // replays a form body a rule reads
    return builder
        .type(named("org.apache.catalina.connector.CoyoteAdapter"))
        .transform(
            advice.advice(
                named("postParseRequest")
                    .and(takesArguments(4))
                    .and(takesArgument(1, named("org.apache.catalina.connector.Request")))
                    .and(takesArgument(3, named("org.apache.catalina.connector.Response")))
                    .and(returns(boolean.class)),
                TomcatFrontDoorAdvice.NAME))
        .type(named("org.apache.catalina.connector.Request"))
        .transform(
            advice.advice(named("recycle").and(takesArguments(0)), TomcatCompletedAdvice.NAME))
        .type(named("org.eclipse.jetty.server.Server"))
        .transform(
            advice.advice(
                named("handle")
                    .and(takesArguments(3))
                    .and(takesArgument(0, named("org.eclipse.jetty.server.Request")))
                    .and(returns(boolean.class)),
                Jetty12FrontDoorAdvice.NAME))
        .type(named("org.eclipse.jetty.server.HttpChannel").and(not(isInterface())))
        .transform(
            advice
                .advice(jettyChannelDispatch("javax.servlet"), JettyChannelFrontDoorAdvice.NAME)
                .advice(
                    jettyChannelDispatch("jakarta.servlet"),
                    JakartaAdvice.JETTY_CHANNEL_FRONT_DOOR_NAME)
                .advice(jettyChannelCompleted("javax.servlet"), JettyChannelCompletedAdvice.NAME)
                .advice(
                    jettyChannelCompleted("jakarta.servlet"),
                    JakartaAdvice.JETTY_CHANNEL_COMPLETED_NAME))
        .type(named("io.undertow.server.Connectors"))
        .transform(
            advice.advice(
                named("executeRootHandler")
                    .and(isStatic())
                    .and(takesArguments(2))
                    .and(takesArgument(1, named("io.undertow.server.HttpServerExchange"))),
                UndertowFrontDoorAdvice.NAME))
        .type(named("io.undertow.server.HttpServerExchange"))
        .transform(
            advice.advice(
                named("invokeExchangeCompleteListeners").and(takesArguments(0)),
                UndertowCompletedAdvice.NAME))
        .type(named("io.undertow.servlet.util.DispatchUtils"))
        .transform(
            advice.advice(
                named("dispatchForward")
                    .and(isStatic())
                    .and(takesArguments(4))
                    .and(
                        takesArgument(1, named("io.undertow.servlet.spec.HttpServletRequestImpl"))),
                UndertowForwardAdvice.NAME));
  }
}
