package io.fastlimit.agent.instrument.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.agent.instrument.ResolvedAdvice;
import io.fastlimit.agent.request.AppNames;
import java.io.IOException;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * The advice on the Netty-based servers the agent limits: Reactor Netty's {@code HttpServer}
 * (Spring WebFlux, Spring Cloud Gateway), where each request is decided once when its headers are
 * parsed ({@link ReactorNettyRequestAdvice}) and, for verdicts that await it, its end is reported
 * ({@link ReactorNettyCompletionAdvice}); and, as a listener, the servers the agent does not limit
 * ({@link UnlimitedServers}).
 */
public final class NettyInstrumentation {

  private NettyInstrumentation() {}

  /** The agent's builder with the Reactor Netty and Micronaut advice. */
  public static AgentBuilder extend(AgentBuilder builder) throws IOException {
    ClassFileLocator adviceClasses =
        AppNettyAdvice.locator(
            ClassFileLocator.ForClassLoader.of(NettyInstrumentation.class.getClassLoader()),
            ReactorNettyRequestAdvice.NAME,
            ReactorNettyCompletionAdvice.NAME,
            MicronautRequestAdvice.NAME,
            MicronautResponseAdvice.NAME,
            MicronautCompletionAdvice.NAME,
            MicronautConnectionClosedAdvice.NAME);
    ResolvedAdvice.Source advice = new ResolvedAdvice.Source(adviceClasses);
    AgentBuilder reactorNetty =
        builder
            .with(new UnlimitedServers())
            .type(named(AppNames.original("reactor.netty.http.server.HttpServer$HttpServerHandle")))
            .transform(
                advice.advice(
                    named("onStateChange").and(takesArguments(2)), ReactorNettyRequestAdvice.NAME))
            .type(named(AppNames.original("reactor.netty.channel.ChannelOperations")))
            .transform(
                advice.advice(
                    named("terminate").and(takesArguments(0)), ReactorNettyCompletionAdvice.NAME));
    return MicronautInstrumentation.on(reactorNetty, advice);
  }
}
