package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/** Per-rule counts over a real JMX connection, and the Prometheus text endpoint. */
class ObservabilityTest {

  @Test
  void ruleCountsAreReadableOverJmxAndPrometheus() throws Exception {
    int metricsPort = ChildApp.freePort();
    Path rules =
        Build.rulesFile(
            "observe",
            """
            metrics:
              prometheus-port: %d
            rules:
              - name: api
                path: /api/**
                limit: 3/hour
              - name: shadow
                path: /api/**
                limit: 1/hour
                dry-run: true
            """
                .formatted(metricsPort));
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      for (int i = 0; i < 5; i++) {
        app.get("/api/a");
      }
      VirtualMachine vm = VirtualMachine.attach(Long.toString(app.pid()));
      String address;
      try {
        address = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
      try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
        MBeanServerConnection server = connector.getMBeanServerConnection();
        ObjectName api = new ObjectName("io.fastlimit:type=Rule,name=\"api\"");
        ObjectName shadow = new ObjectName("io.fastlimit:type=Rule,name=\"shadow\"");
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!server.isRegistered(shadow) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(server.getAttribute(api, "Allowed")).isEqualTo(3L);
        assertThat(server.getAttribute(api, "Blocked")).isEqualTo(2L);
        assertThat(server.getAttribute(api, "BackendErrors")).isEqualTo(0L);
        assertThat(server.getAttribute(api, "Unreached")).isEqualTo(0L);
        // shadow admitted 1; of the 2 more the api rule admitted, it would have blocked both
        assertThat(server.getAttribute(shadow, "WouldBlock")).isEqualTo(2L);
        ObjectName agent = new ObjectName("io.fastlimit:type=Agent");
        assertThat(server.getAttribute(agent, "RuleCount")).isEqualTo(2);
        assertThat((String) server.getAttribute(agent, "LastReloadResult")).startsWith("ok");
        assertThat((String) server.getAttribute(agent, "RulesFile")).isEqualTo(rules.toString());
      }
      String metrics = RawHttp.get(metricsPort, "/metrics").body();
      assertThat(metrics)
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"allowed\"} 3")
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"blocked\"} 2")
          .contains("fastlimit_requests_total{rule=\"shadow\",outcome=\"would_block\"} 2")
          .contains("fastlimit_reload_success 1");
    }
  }
}
