package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An embedded container that resolves X-Forwarded-For itself ({@code -Dsample.forwarded=true}),
 * started once with {@code trusted-proxies} 0 and once with 1. A client writes X-Forwarded-For
 * entries; with one trusted proxy the test also plays that proxy and appends the address it "saw".
 * Whatever the client writes, it gets at most the limit and is never exempt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ForwardingContainerContract {

  private final Map<Integer, ChildApp> apps = new LinkedHashMap<>();

  abstract Path appJar();

  /** The start of the line the agent logs once about the container's rewriting component. */
  abstract String reportedRewriting();

  @BeforeAll
  void start() throws Exception {
    for (int trusted = 0; trusted <= 1; trusted++) {
      String rules = ForwardedClients.rulesFile("forwarding-container-" + trusted, trusted);
      apps.put(trusted, ChildApp.sample(appJar(), rules, "-Dsample.forwarded=true"));
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (ChildApp app : apps.values()) {
      app.close();
    }
  }

  @ParameterizedTest(name = "trusted-proxies: {0}")
  @ValueSource(ints = {0, 1})
  void rotatingClientWrittenEntriesGetAtMostTheLimit(int trusted) throws Exception {
    List<Integer> statuses = ForwardedClients.rotating(apps.get(trusted), trusted);
    assertThat(statuses).containsExactly(200, 200, 200, 429, 429, 429);
  }

  @ParameterizedTest(name = "trusted-proxies: {0}")
  @ValueSource(ints = {0, 1})
  void aClientWrittenExemptAddressIsNotExempt(int trusted) throws Exception {
    List<Integer> statuses = ForwardedClients.writingAnExemptAddress(apps.get(trusted), trusted);
    assertThat(statuses).containsExactly(200, 200, 200, 429);
  }

  @Test
  void theRewritingIsReportedOnceAsHandled() throws Exception {
    ChildApp app = apps.get(0);
    app.awaitOutput(reportedRewriting());
    assertThat(app.output().split(Pattern.quote(reportedRewriting()), -1)).hasSize(2);
    assertThat(app.output()).doesNotContain("WARN " + reportedRewriting());
  }
}
