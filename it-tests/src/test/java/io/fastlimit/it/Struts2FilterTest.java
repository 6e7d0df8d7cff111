package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Struts 2 WAR (Struts 7, {@code StrutsPrepareAndExecuteFilter} in its web.xml) on the standalone
 * Tomcat 11 distribution: every action, the login too, is answered inside the Struts filter and no
 * servlet runs, so the rules are decided at {@code stage: filters}. The Tomcat is shared with
 * {@link JerseyFilterTest}.
 */
@ExtendWith(FilterWarsOnTomcat.class)
class Struts2FilterTest extends LimitedAppContract {

  private static final String CONTEXT = "/sample-struts2-filter";
  private static final int LOGIN_LIMIT = 2;

  @Override
  String limitedPrefix() {
    return CONTEXT + "/api/hello";
  }

  @Override
  String statsPath() {
    return CONTEXT + "/stats";
  }

  @Override
  String greeting(String name) {
    return "hello from struts in a filter " + name;
  }

  @Override
  String rules() {
    return super.rules()
        + "    stage: filters\n"
        + "  - path: "
        + CONTEXT
        + "/login\n    methods: [POST]\n    limit: "
        + LOGIN_LIMIT
        + "/hour\n    stage: filters\n";
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    assertThat(FilterWarsOnTomcat.rules()).contains(rulesYaml.substring("rules:\n".length()));
    return FilterWarsOnTomcat.server();
  }

  /** The Tomcat is shared: {@link FilterWarsOnTomcat} stops it after the last class using it. */
  @AfterAll // an override without the annotation would not run
  @Override
  void stop() throws Exception {
    FilterWarsOnTomcat.done(getClass());
  }

  @Test
  void aLoginTheStrutsFilterAnswersIsLimited() throws Exception {
    for (int i = 1; i <= LOGIN_LIMIT; i++) {
      HttpResult failed = app().post(CONTEXT + "/login", "u=a&p=b");
      assertThat(failed.status()).as("login %d: %s", i, failed).isEqualTo(200);
      assertThat(failed.body()).contains("\"login\":\"failed\"");
      assertThat(failed.longHeader("X-RateLimit-Remaining")).isEqualTo(LOGIN_LIMIT - i);
    }
    HttpResult blocked = app().post(CONTEXT + "/login", "u=a&p=b");
    assertThat(blocked.status()).as("%s", blocked).isEqualTo(429);
    assertThat(blocked.longHeader("Retry-After")).isPositive();
    assertThat(calls("login")).isEqualTo(LOGIN_LIMIT);
  }

  @Test
  void agentLogsNoError() throws Exception {
    assertThat(app().output()).doesNotContain("[fastlimit] ERROR");
  }
}
