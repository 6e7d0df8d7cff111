package io.fastlimit.agent.instrument.vertx;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.fastlimit.agent.instrument.ResolvedAdvice;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * The advice on Vert.x's HTTP server (Vert.x 4.5 and 5; Quarkus REST and every other framework on
 * Vert.x HTTP run there): each request is decided once where Vert.x hands it to the application's
 * handler, the request's context's {@code emit} ({@link VertxRequestAdvice}), and, for verdicts
 * that await it, its end is reported ({@link VertxCompletionAdvice} for HTTP/1.x, {@link
 * VertxStreamCompletionAdvice} for HTTP/2).
 */
public final class VertxInstrumentation {

  private static final String HTTP_IMPL = "io.vertx.core.http.impl.";

  private VertxInstrumentation() {}

  /** The agent's builder with the Vert.x advice. */
  public static AgentBuilder extend(AgentBuilder builder) {
    ClassFileLocator adviceClasses =
        ClassFileLocator.ForClassLoader.of(VertxInstrumentation.class.getClassLoader());
    ResolvedAdvice.Source advice = new ResolvedAdvice.Source(adviceClasses);
    return builder
        .type(
            namedOneOf(
                "io.vertx.core.impl.ContextBase", // Vert.x 5: emit is final there
                "io.vertx.core.impl.ContextImpl", // Vert.x 4.5
                "io.vertx.core.impl.DuplicatedContext")) // Vert.x 4.5
        .transform(
            advice.advice(
                named("emit")
                    .and(isPublic())
                    .and(takesArguments(2))
                    .and(takesArgument(1, named("io.vertx.core.Handler"))),
                VertxRequestAdvice.NAME))
        .type(named(HTTP_IMPL + "Http2ServerRequest"))
        .transform(
            advice.advice(
                named("handleClose").and(takesArguments(0)), VertxStreamCompletionAdvice.NAME))
        .type(namedOneOf(HTTP_IMPL + "Http1xServerResponse", HTTP_IMPL + "Http2ServerResponse"))
        .transform(advice.advice(named("end").and(isPublic()), VertxResponseEndAdvice.NAME))
        .type(named(HTTP_IMPL + "Http1xServerConnection"))
        .transform(
            advice.advice(
                named("responseComplete")
                    .and(takesArguments(0))
                    .or(named("handleClosed").and(takesArguments(0))),
                VertxCompletionAdvice.NAME));
  }
}
