package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of Micronaut's {@code RoutingInBoundHandler.responseWritten}, called once
 * per routed request when its response has been written, failed while streaming, or was dropped
 * with its connection: reports how a request awaiting completion ended ({@link PendingResponses}).
 */
public final class MicronautCompletionAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.netty.MicronautCompletionAdvice";

  private MicronautCompletionAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(0) Object attachment) {
    if (!(attachment instanceof NettyHttpRequest)) {
      return;
    }
    NettyHttpRequest<?> request = (NettyHttpRequest<?>) attachment;
    Channel channel = request.getChannelHandlerContext().channel();
    AttributeKey<PendingResponses> key = AttributeKey.valueOf(MicronautRequestAdvice.PENDING);
    if (!channel.hasAttr(key)) {
      return;
    }
    PendingResponses pending = channel.attr(key).get();
    RateLimitBridge bridge = BridgeHolder.get();
    if (pending != null && bridge != null) {
      pending.ended(request.getNativeRequest(), bridge);
    }
  }
}
