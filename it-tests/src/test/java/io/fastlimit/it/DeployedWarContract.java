package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every application server of the matrix must show with the sample WAR (samples/webapp-war or
 * its javax twin) deployed the way that server deploys WARs and the agent attached the way its
 * users attach agents. One server per class, started once, may host the WAR under several contexts
 * (one per Jetty 12 environment, say); for each: the limit admitted with the headers, then the 429
 * with Retry-After and the JSON body, paths without a rule untouched, a login answered inside a
 * filter limited by a {@code before-filters} rule, and no spelling of the context path reaching the
 * servlet again once its limit is spent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeployedWarContract {

  static final int API_LIMIT = 3;
  static final int LOGIN_LIMIT = 2;

  private ChildApp server;

  /** The context paths the server deploys the WAR at, without slashes ("sample-webapp"). */
  abstract List<String> contexts();

  /**
   * The JDK the server runs on: {@code -Dfastlimit.matrix.java.home}, else the one running the
   * tests; a subclass may pin another.
   */
  Path javaHome() {
    return AppServers.javaHome();
  }

  /** Starts the server with these rules; returns once every context answers /stats. */
  abstract ChildApp start(String rulesYaml) throws Exception;

  /** The rules for the contexts: an API rule and a login decided before the filters, each. */
  String rules() {
    StringBuilder yaml = new StringBuilder("rules:\n");
    for (String context : contexts()) {
      yaml.append("  - path: /")
          .append(context)
          .append("/api/**\n    limit: ")
          .append(API_LIMIT)
          .append("/hour\n");
      yaml.append("  - path: /")
          .append(context)
          .append("/login\n    methods: [POST]\n    limit: ")
          .append(LOGIN_LIMIT)
          .append("/hour\n    before-filters: true\n");
    }
    return yaml.toString();
  }

  @BeforeAll
  void startAndSpendTheApiLimits() throws Exception {
    server = start(rules());
    long before = System.currentTimeMillis() / 1000;
    for (String context : contexts()) {
      for (int i = 1; i <= API_LIMIT; i++) {
        HttpResult ok = server.get("/" + context + "/api/hello");
        assertThat(ok.status()).as("%s request %d: %s", context, i, ok).isEqualTo(200);
        assertThat(ok.body()).contains("hello from the WAR at /" + context);
        assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(API_LIMIT);
        assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(API_LIMIT - i);
        assertThat(ok.longHeader("X-RateLimit-Reset")).isGreaterThan(before);
      }
      HttpResult blocked = server.get("/" + context + "/api/other");
      assertThat(blocked.status()).as("%s: %s", context, blocked).isEqualTo(429);
      long retryAfter = blocked.longHeader("Retry-After");
      assertThat(retryAfter).isBetween(1L, 2L * 3600);
      assertThat(blocked.longHeader("X-RateLimit-Remaining")).isZero();
      assertThat(blocked.header("Content-Type")).startsWith("application/json");
      assertThat(blocked.body()).contains("\"retry_after\":" + retryAfter);
      assertThat(calls(context, "hello")).as(context).isEqualTo(API_LIMIT);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  ChildApp server() {
    return server;
  }

  @Test
  void pathsWithoutARuleAreUntouched() throws Exception {
    for (String context : contexts()) {
      for (int i = 0; i < 5; i++) {
        HttpResult stats = server.get("/" + context + "/stats");
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.hasHeader("X-RateLimit-Limit")).as("%s: %s", context, stats).isFalse();
        assertThat(stats.hasHeader("X-RateLimit-Remaining")).isFalse();
      }
    }
  }

  @Test
  void aLoginAnsweredInsideAFilterIsLimitedBeforeTheFilters() throws Exception {
    for (String context : contexts()) {
      for (int i = 1; i <= LOGIN_LIMIT; i++) {
        HttpResult failed = server.post("/" + context + "/login", "u=a&p=b");
        assertThat(failed.status()).as("%s login %d: %s", context, i, failed).isEqualTo(200);
        assertThat(failed.body()).contains("\"login\":\"failed\"");
        assertThat(failed.longHeader("X-RateLimit-Remaining")).isEqualTo(LOGIN_LIMIT - i);
      }
      HttpResult blocked = server.post("/" + context + "/login", "u=a&p=b");
      assertThat(blocked.status()).as("%s: %s", context, blocked).isEqualTo(429);
      assertThat(blocked.longHeader("Retry-After")).isPositive();
      assertThat(calls(context, "login")).as(context).isEqualTo(LOGIN_LIMIT);
    }
  }

  @Test
  void runsOnTheChosenJdk() throws Exception {
    RunningJdk.assertRunsOn(server, javaHome());
  }

  @Test
  void agentAnnouncesItsRulesAndLogsNoError() throws Exception {
    assertThat(server.output())
        .contains("[fastlimit] fastlimit agent")
        .contains("/" + contexts().get(0) + "/api/**")
        .doesNotContain("[fastlimit] ERROR");
  }

  /** Every context path spelled as an attacker would, after the plain path's limit is spent. */
  List<Arguments> contextPathSpellings() {
    List<Arguments> spellings = new ArrayList<>();
    for (String c : contexts()) {
      String encodedFirst = "%" + Integer.toHexString(c.charAt(0)) + c.substring(1);
      for (String target :
          new String[] {
            "/" + c + ";x=y/api/hello",
            "/" + c + ";jsessionid=1/api/hello",
            "/" + encodedFirst + "/api/hello",
            "/./" + c + "/api/hello",
            "/x/../" + c + "/api/hello",
            "//" + c + "/api/hello",
            "/" + c + "/./api/hello",
            "/" + c + "/api;x=y/hello",
            "/" + c + "/%61pi/hello",
            "/" + c + "/api/x/../hello",
            "/" + c + "/API/../api/hello",
            "/" + c.toUpperCase(Locale.ROOT) + "/api/hello",
          }) {
        spellings.add(Arguments.of(c, target));
      }
    }
    return spellings;
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("contextPathSpellings")
  void contextPathSpellingsCannotDodgeTheRule(String context, String target) throws Exception {
    long before = calls(context, "hello");
    HttpResult result = server.get(target);
    // the WAR has no other servlet under /api: any answer but 429 must be the server's own 4xx,
    // or its redirect (Payara answers /ctx;x=y/... with a 301 to a path no servlet maps)
    if (result.status() != 429) {
      assertThat(result.status()).as("%s: %s", target, result).isBetween(301, 499);
    }
    assertThat(calls(context, "hello")).as("%s ran the servlet", target).isEqualTo(before);
  }

  /** How often the WAR at this context ran its servlet ("hello") or its login filter ("login"). */
  long calls(String context, String counter) throws Exception {
    HttpResult stats = server.get("/" + context + "/stats");
    assertThat(stats.status()).as("%s/stats: %s", context, stats).isEqualTo(200);
    Matcher matcher = Pattern.compile("\"" + counter + "\":(\\d+)").matcher(stats.body());
    assertThat(matcher.find()).as(stats.body()).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
