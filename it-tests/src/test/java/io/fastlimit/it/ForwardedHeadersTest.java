package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spring Boot with the container or the framework resolving X-Forwarded-For before the agent looks:
 * Tomcat's RemoteIpValve (which Spring Boot turns on by itself when it sees the Kubernetes
 * variables) and Spring's ForwardedHeaderFilter ({@code
 * server.forward-headers-strategy=framework}), each with {@code trusted-proxies} 0 and 1. A client
 * writes X-Forwarded-For entries; with one trusted proxy the test also plays that proxy and appends
 * the address it "saw". Whatever the client writes, it gets at most the limit and is never exempt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardedHeadersTest {

  private final Map<String, ChildApp> apps = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    for (int trusted = 0; trusted <= 1; trusted++) {
      String rules = ForwardedClients.rulesFile("forwarded-" + trusted, trusted);
      apps.put(
          "kubernetes-" + trusted,
          ChildApp.sample(
              Build.springBootSample(),
              rules,
              Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443")));
      apps.put(
          "framework-" + trusted,
          ChildApp.sample(
              Build.springBootSample(), rules, "-Dserver.forward-headers-strategy=framework"));
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (ChildApp app : apps.values()) {
      app.close();
    }
  }

  /** 0 or 1: the trusted-proxies of a setup such as "kubernetes-1". */
  private static int trusted(String setup) {
    return setup.endsWith("-1") ? 1 : 0;
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubernetes-0", "kubernetes-1", "framework-0", "framework-1"})
  void rotatingClientWrittenEntriesGetAtMostTheLimit(String setup) throws Exception {
    List<Integer> statuses = ForwardedClients.rotating(apps.get(setup), trusted(setup));
    assertThat(statuses).as(setup).containsExactly(200, 200, 200, 429, 429, 429);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubernetes-0", "kubernetes-1", "framework-0", "framework-1"})
  void aClientWrittenExemptAddressIsNotExempt(String setup) throws Exception {
    List<Integer> statuses =
        ForwardedClients.writingAnExemptAddress(apps.get(setup), trusted(setup));
    assertThat(statuses).as(setup).containsExactly(200, 200, 200, 429);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubernetes-0", "framework-0"})
  void theRewritingIsReportedOnceWithWhatTheAgentDoes(String setup) throws Exception {
    ChildApp app = apps.get(setup);
    String component =
        setup.startsWith("kubernetes")
            ? "Tomcat's RemoteIpValve"
            : "Spring's ForwardedHeaderFilter";
    app.awaitOutput(component + " rewrites the client address");
    assertThat(app.output().split(component + " rewrites", -1)).hasSize(2);
  }
}
