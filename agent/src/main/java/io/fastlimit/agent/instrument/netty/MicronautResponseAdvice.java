package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.Verdict;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code write} and {@code writeHeadResponse} of Micronaut's two {@code
 * OutboundAccess} implementations (HTTP/1.1's {@code PipeliningServerHandler.OutboundAccessImpl},
 * HTTP/2's {@code MultiplexedServerHandler.MultiplexedStream}), which every response of a routed
 * request passes once, error responses included, before its headers are sent: adds the headers of
 * the request's admitted verdict and notes the status for the report of how the request ended. Both
 * classes keep the request they answer ({@code request}) and Micronaut's request ({@code
 * attachment}, which knows the connection); the agent's own 429 has no attachment and is left
 * alone.
 */
public final class MicronautResponseAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.netty.MicronautResponseAdvice";

  private MicronautResponseAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.FieldValue("request") HttpRequest request,
      @Advice.FieldValue("attachment") Object attachment,
      @Advice.Argument(0) HttpResponse response) {
    if (!(attachment instanceof NettyHttpRequest)) {
      return;
    }
    Channel channel = ((NettyHttpRequest<?>) attachment).getChannelHandlerContext().channel();
    AttributeKey<PendingResponses> key = AttributeKey.valueOf(MicronautRequestAdvice.PENDING);
    if (!channel.hasAttr(key)) {
      return;
    }
    PendingResponses pending = channel.attr(key).get();
    if (pending == null) {
      return;
    }
    HttpHeaders headers = response.headers();
    Verdict verdict =
        pending.responding(request, response.status().code(), headers.get("Location"));
    if (verdict == null) {
      return;
    }
    for (int i = 0; i < verdict.headerCount(); i++) {
      headers.set(verdict.headerName(i), verdict.headerValue(i));
    }
  }
}
