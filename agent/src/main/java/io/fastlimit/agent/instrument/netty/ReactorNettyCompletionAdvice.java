package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import net.bytebuddy.asm.Advice;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Inlined at the start of Reactor Netty's {@code ChannelOperations.terminate()}, which ends one
 * request's operations once: after its response was sent, or when the client went away first. Tells
 * the bridge how a request ended whose admitted verdict awaits it ({@link
 * ReactorNettyRequestAdvice} left it on the channel together with the operations it belongs to, so
 * the next request on a kept-alive connection never takes it).
 */
public final class ReactorNettyCompletionAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME =
      "io.fastlimit.agent.instrument.netty.ReactorNettyCompletionAdvice";

  private ReactorNettyCompletionAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object operations) {
    if (!(operations instanceof HttpServerResponse)) {
      return;
    }
    AttributeKey<Object[]> key = AttributeKey.valueOf(RateLimitBridge.PENDING_ATTRIBUTE);
    Channel channel = ((Connection) operations).channel();
    if (!channel.hasAttr(key)) {
      return;
    }
    Attribute<Object[]> attribute = channel.attr(key);
    Object[] pending = attribute.get();
    if (pending == null || pending[0] != operations || !attribute.compareAndSet(pending, null)) {
      return;
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    HttpServerResponse response = (HttpServerResponse) operations;
    int status = response.hasSentHeaders() ? response.status().code() : 0;
    bridge.completed(
        (Verdict) pending[1], status, response.responseHeaders().get("Location"), null);
  }
}
