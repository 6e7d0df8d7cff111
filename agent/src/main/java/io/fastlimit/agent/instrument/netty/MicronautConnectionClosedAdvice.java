package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of the {@code handlerRemoved} of Micronaut's HTTP/1.1 handler ({@code
 * PipeliningServerHandler}) and of its HTTP/2 connection handler, which Netty calls when the
 * connection closes: a request still in flight there, whose response never started (a controller
 * still working, or one that never answers), has ended for its client, and its slot goes back now.
 * A handler removed from a connection still open (the switch from HTTP/1.1 to h2c) ends nothing.
 */
public final class MicronautConnectionClosedAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME =
      "io.fastlimit.agent.instrument.netty.MicronautConnectionClosedAdvice";

  private MicronautConnectionClosedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(0) ChannelHandlerContext context) {
    Channel channel = context.channel();
    AttributeKey<PendingResponses> key = AttributeKey.valueOf(MicronautRequestAdvice.PENDING);
    if (channel.isActive() || !channel.hasAttr(key)) {
      return;
    }
    PendingResponses pending = channel.attr(key).getAndSet(null);
    RateLimitBridge bridge = BridgeHolder.get();
    if (pending != null && bridge != null) {
      pending.closed(bridge);
    }
  }
}
