package io.fastlimit.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.bootstrap.FrontDoor;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * The containers' front doors, where the rules of {@code stage: container} are decided before the
 * container's own valves, authenticators and filters: Tomcat's connector adapter ({@link
 * TomcatFrontDoorAdvice}, completion in {@link TomcatCompletedAdvice}), Jetty 12's server ({@link
 * Jetty12FrontDoorAdvice}) and Undertow's root handler ({@link UndertowFrontDoorAdvice}).
 */
final class FrontDoorInstrumentation {

  private FrontDoorInstrumentation() {}

  static AgentBuilder extend(AgentBuilder builder, ClassFileLocator adviceClasses) {
    FrontDoor.responses(new CoreResponses()); // reads Jetty's response when a request completes
    return builder
        .type(named("org.apache.catalina.connector.CoyoteAdapter"))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(adviceClasses)
                .advice(
                    named("postParseRequest")
                        .and(takesArguments(4))
                        .and(takesArgument(1, named("org.apache.catalina.connector.Request")))
                        .and(takesArgument(3, named("org.apache.catalina.connector.Response")))
                        .and(returns(boolean.class)),
                    TomcatFrontDoorAdvice.class.getName()))
        .type(named("org.apache.catalina.connector.Request"))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(adviceClasses)
                .advice(
                    named("recycle").and(takesArguments(0)), TomcatCompletedAdvice.class.getName()))
        .type(named("org.eclipse.jetty.server.Server"))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(adviceClasses)
                .advice(
                    named("handle")
                        .and(takesArguments(3))
                        .and(takesArgument(0, named("org.eclipse.jetty.server.Request")))
                        .and(returns(boolean.class)),
                    Jetty12FrontDoorAdvice.class.getName()))
        .type(named("io.undertow.server.Connectors"))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(adviceClasses)
                .advice(
                    named("executeRootHandler")
                        .and(isStatic())
                        .and(takesArguments(2))
                        .and(takesArgument(1, named("io.undertow.server.HttpServerExchange"))),
                    UndertowFrontDoorAdvice.class.getName()));
  }
}
