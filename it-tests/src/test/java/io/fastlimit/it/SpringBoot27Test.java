package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Spring Boot 2.7 fat jar (javax.servlet on its embedded Tomcat 9, Spring Security 5.7) run with
 * the agent in {@code JAVA_TOOL_OPTIONS} and the rules in {@code FASTLIMIT_CONFIG}, as in a
 * container image: the API limited at the servlet, and the form login that Spring Security answers
 * inside its filter chain limited by a {@code stage: filters} rule.
 */
class SpringBoot27Test extends LimitedAppContract {

  private static final int LOGIN_LIMIT = 2;

  @Override
  String limitedPrefix() {
    return "/api";
  }

  @Override
  String statsPath() {
    return "/stats";
  }

  @Override
  String greeting(String name) {
    return "hello from boot 2.7 " + name;
  }

  @Override
  String rules() {
    return super.rules()
        + "  - path: /login\n    methods: [POST]\n    limit: "
        + LOGIN_LIMIT
        + "/hour\n    stage: filters\n";
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    // attached as in a container image: the JVM reads JAVA_TOOL_OPTIONS, the agent its config
    // from FASTLIMIT_CONFIG (no agent argument)
    return ChildApp.sample(
        Build.springBoot27Sample(),
        null,
        Map.of(
            "JAVA_TOOL_OPTIONS",
            "-javaagent:" + Build.agentJar(),
            "FASTLIMIT_CONFIG",
            Build.rulesFile("boot27", rulesYaml).toString()));
  }

  @Test
  void aFormLoginAnsweredInsideTheSecurityFilterChainIsLimited() throws Exception {
    for (int i = 1; i <= LOGIN_LIMIT; i++) {
      HttpResult failed = app().post("/login", "username=alice&password=guess" + i);
      assertThat(failed.status()).as("login %d: %s", i, failed).isEqualTo(302);
      assertThat(failed.header("Location")).endsWith("/login?error");
      assertThat(failed.longHeader("X-RateLimit-Remaining")).isEqualTo(LOGIN_LIMIT - i);
    }
    HttpResult blocked = app().post("/login", "username=alice&password=secret");
    assertThat(blocked.status()).as("%s", blocked).isEqualTo(429);
    assertThat(blocked.longHeader("Retry-After")).isPositive();
  }
}
