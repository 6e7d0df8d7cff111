package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A WAR running Jersey 4 as a servlet filter (ServletContainer in filter mode) on the standalone
 * Tomcat 11 distribution: its resources are answered inside the filter and no servlet runs, so the
 * rule is decided at {@code stage: filters}.
 */
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
    ChildApp tomcat =
        StandaloneTomcat.start(
            "jersey-filter",
            rulesYaml,
            (home, base) ->
                Files.copy(Build.jerseyFilterWar(), base.resolve("webapps" + CONTEXT + ".war")));
    return AppServers.awaitContexts(tomcat, java.util.List.of(CONTEXT.substring(1)));
  }

  @Test
  void agentLogsNoError() throws Exception {
    assertThat(app().output()).doesNotContain("[fastlimit] ERROR");
  }
}
