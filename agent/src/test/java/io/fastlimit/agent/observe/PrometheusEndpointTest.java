package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {

  @Test
  void rendersCountsPerRuleWithEscapedLabels() {
    Stats stats = new Stats();
    RuleStats api = stats.forRule("a\"pi");
    api.allowed();
    api.allowed();
    api.blocked();
    stats.reloaded(5_000, "ok: 1 rules");
    String text = PrometheusEndpoint.render(stats);
    assertThat(text)
        .contains("fastlimit_requests_total{rule=\"a\\\"pi\",outcome=\"allowed\"} 2")
        .contains("fastlimit_requests_total{rule=\"a\\\"pi\",outcome=\"blocked\"} 1")
        .contains("fastlimit_reload_timestamp_seconds 5")
        .contains("fastlimit_reload_success 1")
        .contains("fastlimit_memory_new_clients_refused_total 0");
  }

  @Test
  void rendersTheNewClientsTheMemoryBackendRefused() {
    Stats stats = new Stats();
    stats.countNewClientsRefused(() -> 42);

    assertThat(PrometheusEndpoint.render(stats))
        .contains("# TYPE fastlimit_memory_new_clients_refused_total counter\n")
        .contains("\nfastlimit_memory_new_clients_refused_total 42\n");
  }

  @Test
  void servesTheTextOnLoopback() throws Exception {
    Stats stats = new Stats();
    stats.forRule("api").wouldBlock();
    stats.forRule("api").unreached();
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0, stats);
        Socket socket = new Socket("127.0.0.1", endpoint.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response)
          .startsWith("HTTP/1.1 200 OK")
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"would_block\"} 1")
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"unreached\"} 1");
    }
  }
}
