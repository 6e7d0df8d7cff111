package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A WAR running Jersey 4 as a servlet filter (ServletContainer in filter mode) on the standalone
 * Tomcat 11 distribution: its resources are answered inside the filter and no servlet runs, so the
 * rule is decided at {@code stage: filters}. The Tomcat is shared with {@link Struts2FilterTest}.
 */
@ExtendWith(FilterWarsOnTomcat.class)
class JerseyFilterTest extends LimitedAppContract {

  private static final String CONTEXT = "/sample-jersey-filter";

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
    return "hello from jersey in a filter " + name;
  }

  @Override
  String rules() {
    return super.rules() + "    stage: filters\n";
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
  void agentLogsNoError() throws Exception {
    assertThat(app().output()).doesNotContain("[fastlimit] ERROR");
  }
}
