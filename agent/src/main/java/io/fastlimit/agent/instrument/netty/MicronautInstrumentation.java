package io.fastlimit.agent.instrument.netty;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.agent.instrument.ResolvedAdvice;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * Where the advice goes in Micronaut 4's Netty server ({@code micronaut-http-server-netty}): the
 * decision where each request enters the routing ({@link MicronautRequestAdvice}), the headers
 * where each response is written ({@link MicronautResponseAdvice}), and the end of a request
 * awaiting it when its response is written or dropped ({@link MicronautCompletionAdvice}) or its
 * connection closes ({@link MicronautConnectionClosedAdvice}).
 */
final class MicronautInstrumentation {

  private static final String SERVER = "io.micronaut.http.server.netty.";

  private MicronautInstrumentation() {}

  static AgentBuilder on(AgentBuilder builder, ResolvedAdvice.Source advice) {
    return builder
        .type(named(SERVER + "RoutingInBoundHandler"))
        .transform(
            advice
                .advice(named("accept").and(takesArguments(4)), MicronautRequestAdvice.NAME)
                .advice(
                    named("responseWritten").and(takesArguments(1)),
                    MicronautCompletionAdvice.NAME))
        .type(
            named(SERVER + "handler.PipeliningServerHandler$OutboundAccessImpl")
                .or(named(SERVER + "handler.MultiplexedServerHandler$MultiplexedStream")))
        .transform(
            advice.advice(
                isPublic()
                    .and(named("write").and(takesArguments(2)))
                    .or(named("writeHeadResponse").and(takesArguments(1))),
                MicronautResponseAdvice.NAME))
        .type(named(SERVER + "handler.PipeliningServerHandler"))
        .transform(
            advice.advice(
                named("handlerRemoved").and(takesArguments(1)),
                MicronautConnectionClosedAdvice.NAME))
        .type(named(SERVER + "handler.Http2ServerHandler$ConnectionHandler"))
        .transform(
            advice.advice(
                named("handlerRemoved0").and(takesArguments(1)),
                MicronautConnectionClosedAdvice.NAME));
  }
}
