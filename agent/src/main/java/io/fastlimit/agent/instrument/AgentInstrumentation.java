package io.fastlimit.agent.instrument;

import io.fastlimit.agent.instrument.netty.NettyInstrumentation;
import io.fastlimit.agent.instrument.vertx.VertxInstrumentation;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

/**
 * Every entry point the agent instruments, in one Byte Buddy builder: the servlet containers,
 * Reactor Netty, Micronaut and Vert.x. One builder is one transformer for the JVM to call on each
 * class it loads and one pass over the classes already loaded (retransformation, for an agent
 * attached to a running JVM); three had tripled both.
 */
public final class AgentInstrumentation {

  private AgentInstrumentation() {}

  /** The builder with every instrumentation's types, not yet installed. */
  static AgentBuilder builder() throws IOException {
    return VertxInstrumentation.extend(
        NettyInstrumentation.extend(ServletInstrumentation.builder()));
  }

  /**
   * The instrumentation as a transformer the JVM does not know of, for the {@link StartGate} to
   * hand classes to, already run once ({@link WarmUp}).
   */
  public static ClassFileTransformer prepared() throws Exception {
    ClassFileTransformer transformer = builder().makeRaw();
    WarmUp.run(transformer);
    return transformer;
  }

  public static ResettableClassFileTransformer install(Instrumentation instrumentation)
      throws IOException {
    return builder().installOn(instrumentation);
  }
}
