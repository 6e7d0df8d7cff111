package io.fastlimit.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForwardingRewritersTest {

  private final CapturedLog log = new CapturedLog();

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  private String logged() {
    return log.text();
  }

  @Test
  void eachComponentIsReportedOnce() {
    log.start();
    ForwardingRewriters.seen(ForwardingRewriters.TOMCAT_FILTER);
    ForwardingRewriters.seen(ForwardingRewriters.TOMCAT_FILTER);
    assertThat(logged().split("RemoteIpFilter rewrites", -1)).hasSize(2);
  }

  @Test
  void jetty12AndUndertowAreReportedAsHandledNotWarnedAbout() {
    log.start();
    ForwardingRewriters.seen(ForwardingRewriters.UNDERTOW_HANDLER);
    ForwardingRewriters.seen(ForwardingRewriters.JETTY12_CUSTOMIZER);
    assertThat(logged())
        .doesNotContain("WARN")
        .contains("[fastlimit] Undertow's proxy-address-forwarding")
        .contains("[fastlimit] Jetty 12's ForwardedRequestCustomizer")
        .doesNotContain("cannot see");
  }

  @Test
  void everyKeyTheInstrumentationUsesHasAMessage() {
    for (String key :
        new String[] {
          ForwardingRewriters.TOMCAT_VALVE,
          ForwardingRewriters.TOMCAT_FILTER,
          ForwardingRewriters.SPRING_FILTER,
          ForwardingRewriters.JETTY_CUSTOMIZER,
          ForwardingRewriters.JETTY12_CUSTOMIZER,
          ForwardingRewriters.UNDERTOW_HANDLER
        }) {
      assertThat(ForwardingRewriters.describe(key)).as(key).contains("trusted-proxies");
    }
  }

  @Test
  void anUnknownKeyIsIgnored() {
    log.start();
    ForwardingRewriters.seen("something-else");
    ForwardingRewriters.seen(null);
    assertThat(logged()).isEmpty();
  }
}
