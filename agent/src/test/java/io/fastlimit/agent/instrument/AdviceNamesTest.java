package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.instrument.netty.MicronautCompletionAdvice;
import io.fastlimit.agent.instrument.netty.MicronautConnectionClosedAdvice;
import io.fastlimit.agent.instrument.netty.MicronautRequestAdvice;
import io.fastlimit.agent.instrument.netty.MicronautResponseAdvice;
import io.fastlimit.agent.instrument.netty.ReactorNettyCompletionAdvice;
import io.fastlimit.agent.instrument.netty.ReactorNettyRequestAdvice;
import io.fastlimit.agent.instrument.vertx.VertxCompletionAdvice;
import io.fastlimit.agent.instrument.vertx.VertxRequestAdvice;
import io.fastlimit.agent.instrument.vertx.VertxResponseEndAdvice;
import io.fastlimit.agent.instrument.vertx.VertxStreamCompletionAdvice;
import org.junit.jupiter.api.Test;

/** The advice named by a constant (so that naming it loads nothing) is named right. */
class AdviceNamesTest {

  @Test
  void eachAdvicesNameIsItsClasssName() {
    assertThat(TomcatFrontDoorAdvice.NAME).isEqualTo(TomcatFrontDoorAdvice.class.getName());
    assertThat(TomcatCompletedAdvice.NAME).isEqualTo(TomcatCompletedAdvice.class.getName());
    assertThat(Jetty12FrontDoorAdvice.NAME).isEqualTo(Jetty12FrontDoorAdvice.class.getName());
    assertThat(JettyChannelFrontDoorAdvice.NAME)
        .isEqualTo(JettyChannelFrontDoorAdvice.class.getName());
    assertThat(JettyChannelCompletedAdvice.NAME)
        .isEqualTo(JettyChannelCompletedAdvice.class.getName());
    assertThat(UndertowFrontDoorAdvice.NAME).isEqualTo(UndertowFrontDoorAdvice.class.getName());
    assertThat(UndertowCompletedAdvice.NAME).isEqualTo(UndertowCompletedAdvice.class.getName());
    assertThat(UndertowForwardAdvice.NAME).isEqualTo(UndertowForwardAdvice.class.getName());
    assertThat(ReceivedAddressAdvice.NAME).isEqualTo(ReceivedAddressAdvice.class.getName());
    assertThat(Jetty12ReceivedAddressAdvice.NAME)
        .isEqualTo(Jetty12ReceivedAddressAdvice.class.getName());
    assertThat(UndertowReceivedAddressAdvice.NAME)
        .isEqualTo(UndertowReceivedAddressAdvice.class.getName());
    assertThat(RewriterSeenAdvice.NAME).isEqualTo(RewriterSeenAdvice.class.getName());
    assertThat(ReactorNettyRequestAdvice.NAME).isEqualTo(ReactorNettyRequestAdvice.class.getName());
    assertThat(ReactorNettyCompletionAdvice.NAME)
        .isEqualTo(ReactorNettyCompletionAdvice.class.getName());
    assertThat(MicronautRequestAdvice.NAME).isEqualTo(MicronautRequestAdvice.class.getName());
    assertThat(MicronautResponseAdvice.NAME).isEqualTo(MicronautResponseAdvice.class.getName());
    assertThat(MicronautCompletionAdvice.NAME).isEqualTo(MicronautCompletionAdvice.class.getName());
    assertThat(MicronautConnectionClosedAdvice.NAME)
        .isEqualTo(MicronautConnectionClosedAdvice.class.getName());
    assertThat(VertxRequestAdvice.NAME).isEqualTo(VertxRequestAdvice.class.getName());
    assertThat(VertxStreamCompletionAdvice.NAME)
        .isEqualTo(VertxStreamCompletionAdvice.class.getName());
    assertThat(VertxResponseEndAdvice.NAME).isEqualTo(VertxResponseEndAdvice.class.getName());
    assertThat(VertxCompletionAdvice.NAME).isEqualTo(VertxCompletionAdvice.class.getName());
  }
}
