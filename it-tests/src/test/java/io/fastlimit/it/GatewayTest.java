package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Spring Cloud Gateway runs on Reactor Netty's HttpServer: a gateway route is limited before the
 * gateway forwards it, and the forward inside the gateway is not counted again.
 */
class GatewayTest {

  @Test
  void aRouteIsLimitedBeforeTheGatewayForwardsIt() throws Exception {
    String rules =
        """
        rules:
          - path: /orders/**
            limit: 2/hour
          - path: /upstream
            limit: 100/hour
        """;
    try (ChildApp app =
        ChildApp.sample(Build.gatewaySample(), Build.rulesFile("gateway", rules).toString())) {
      for (int i = 1; i <= 2; i++) {
        HttpResult ok = app.get("/orders/" + i);
        assertThat(ok.status()).as("%s", ok).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("hello from upstream");
        assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(2);
        assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(2 - i);
      }
      HttpResult blocked = app.get("/orders/3");
      assertThat(blocked.status()).isEqualTo(429);
      assertThat(blocked.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
      assertThat(app.get("/stats").body()).contains("\"upstream\":2");
      // the forwards to /upstream were not requests of their own: its rule is untouched
      assertThat(app.get("/upstream").longHeader("X-RateLimit-Remaining")).isEqualTo(99);
      assertThat(app.output()).doesNotContain("ERROR").doesNotContain("does not limit it");
    }
  }
}
