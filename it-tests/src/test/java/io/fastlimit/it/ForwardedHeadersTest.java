package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
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

  private static final int LIMIT = 3;

  private final Map<String, ChildApp> apps = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    for (int trusted = 0; trusted <= 1; trusted++) {
      String rules =
          Build.rulesFile(
                  "forwarded-" + trusted,
                  "trusted-proxies: "
                      + trusted
                      + "\n"
                      + """
                      exempt-ips: [10.0.0.0/8]
                      rules:
                        - name: rotating
                          path: /api/public/r*
                          ip: 3/hour
                        - name: exempt
                          path: /api/public/e*
                          ip: 3/hour
                      """)
              .toString();
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

  /** The header as it reaches the app: what the client wrote, plus the trusted proxy's entry. */
  private static String forwardedFor(String setup, String clientWritten, String clientAddress) {
    boolean behindOneProxy = setup.endsWith("-1");
    return "X-Forwarded-For: " + clientWritten + (behindOneProxy ? ", " + clientAddress : "");
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubernetes-0", "kubernetes-1", "framework-0", "framework-1"})
  void rotatingClientWrittenEntriesGetAtMostTheLimit(String setup) throws Exception {
    ChildApp app = apps.get(setup);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 1; i <= LIMIT + 3; i++) {
      String header = forwardedFor(setup, "198.51.100." + i, "203.0.113.5");
      statuses.add(app.get("/api/public/r" + i, header).status());
    }
    assertThat(statuses).as(setup).containsExactly(200, 200, 200, 429, 429, 429);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubernetes-0", "kubernetes-1", "framework-0", "framework-1"})
  void aClientWrittenExemptAddressIsNotExempt(String setup) throws Exception {
    ChildApp app = apps.get(setup);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 1; i <= LIMIT + 1; i++) {
      String header = forwardedFor(setup, "10.9.9.9", "203.0.113.6");
      statuses.add(app.get("/api/public/e" + i, header).status());
    }
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
