package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.RequestTarget;
import io.fastlimit.bootstrap.Verdict;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.http.netty.body.NettyByteBodyFactory;
import io.micronaut.http.server.netty.handler.OutboundAccess;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.io.ByteArrayOutputStream;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of Micronaut's {@code RoutingInBoundHandler.accept}, which Micronaut's Netty
 * server calls once per request, on the event loop, as soon as its headers are parsed (HTTP/1.1 in
 * pipelined order, and each HTTP/2 stream), with the request's own {@code OutboundAccess} that
 * keeps responses in order. When blocked it closes the request body (Micronaut discards what is
 * still to come and goes on with the next request), writes the 429 through that access, and skips
 * the routing: no filter or controller runs. When admitted, the headers and any report of how the
 * request ends wait on the connection's {@link PendingResponses} until the response is written
 * ({@link MicronautResponseAdvice}, {@link MicronautCompletionAdvice}). Only Micronaut, Netty, JDK
 * and bootstrap classes: it runs in the application's class loader.
 */
public final class MicronautRequestAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.netty.MicronautRequestAdvice";

  /** The channel attribute holding the connection's {@link PendingResponses}. */
  static final String PENDING = "io.fastlimit.micronaut.pending";

  private MicronautRequestAdvice() {}

  /**
   * Returns true when the request was rejected, or is being decided on another thread (the decision
   * may wait for Redis: {@link OffLoopDecision} calls {@code accept} again on the event loop with
   * the verdict), which skips Micronaut's routing for now.
   */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object handler,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Argument(0) ChannelHandlerContext context,
      @Advice.Argument(1) HttpRequest request,
      @Advice.Argument(2) CloseableByteBody body,
      @Advice.Argument(3) OutboundAccess outboundAccess) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    boolean rejecting = false; // once the 429 is being written the routing must not run
    try {
      Channel channel = context.channel();
      Verdict verdict;
      Object decidedAhead = OffLoopDecision.takeDecided();
      if (decidedAhead != null) {
        if (!channel.isActive()) {
          body.close();
          return true; // the client left while its request was decided: nothing to run
        }
        verdict = decidedAhead instanceof Verdict ? (Verdict) decidedAhead : null;
      } else {
        ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
        // the socket's peer and X-Forwarded-For as received, before Micronaut's own
        // client-address resolution
        String peer = ActiveRules.peerAddress(channel.remoteAddress());
        String header = rules.forwardedForHeader();
        String forwardedFor =
            header == null ? null : ActiveRules.joinLines(request.headers().getAll(header));
        Object decided =
            OffLoopDecision.decideOrSubmit(
                rules,
                request.method().name(),
                RequestTarget.path(request.uri()),
                peer,
                forwardedFor,
                request,
                channel.eventLoop(),
                handler,
                entryMethod,
                context,
                request,
                body,
                outboundAccess);
        if (decided == OffLoopDecision.SUBMITTED) {
          return true; // never wait on the event loop: it comes back here decided
        }
        verdict = (Verdict) decided;
      }
      if (verdict == null) {
        return false;
      }
      if (!verdict.isBlocked()) {
        if (verdict.headerCount() > 0 || verdict.awaitsCompletion()) {
          Attribute<PendingResponses> attribute =
              channel.attr(AttributeKey.<PendingResponses>valueOf(PENDING));
          PendingResponses pending = attribute.get();
          if (pending == null) {
            pending = new PendingResponses();
            PendingResponses earlier = attribute.setIfAbsent(pending);
            if (earlier != null) {
              pending = earlier;
            }
          }
          pending.admitted(request, verdict);
        }
        return false;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(verdict.bodyLength());
      verdict.writeBody(bytes);
      DefaultHttpResponse response =
          new DefaultHttpResponse(
              request.protocolVersion(), HttpResponseStatus.valueOf(verdict.status()));
      HttpHeaders headers = response.headers();
      for (int i = 0; i < verdict.headerCount(); i++) {
        headers.set(verdict.headerName(i), verdict.headerValue(i));
      }
      headers.set("Content-Type", verdict.contentType());
      headers.set("Content-Length", String.valueOf(verdict.bodyLength()));
      boolean head = HttpMethod.HEAD.equals(request.method());
      CloseableByteBody content =
          head
              ? null
              : new NettyByteBodyFactory(channel)
                  .adapt(Unpooled.wrappedBuffer(bytes.toByteArray()));
      rejecting = true;
      body.close();
      if (head) {
        outboundAccess.writeHeadResponse(response);
      } else {
        outboundAccess.write(response, content);
      }
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return rejecting;
    }
  }
}
