package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code redis.fixed-window}: fixed windows counted by the scripts, or by plain commands. */
class FixedWindowConfigTest {

  private static final String RULES =
      "rules: [{path: /a, limit: 5/min, algorithm: fixed-window}]\n";

  private static AgentConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "rules.yaml", name -> null);
  }

  @Test
  void theScriptsCountUnlessSaidOtherwise() throws Exception {
    AgentConfig config = load("redis-url: redis://h:6379\n" + RULES);
    assertThat(config.redis().fixedWindow()).isEqualTo(RedisConfig.FixedWindow.SCRIPT);
    assertThat(config.redis().toString()).doesNotContain("fixed-window");
  }

  @Test
  void commandsAreRead() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n" + RULES).redis();
    assertThat(commands.fixedWindow()).isEqualTo(RedisConfig.FixedWindow.COMMANDS);
    assertThat(commands.toString()).contains("fixed-window=commands");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.withFixedWindow(RedisConfig.FixedWindow.SCRIPT)).isEqualTo(script);
  }

  @Test
  void anotherWordIsRefusedNamingTheChoices() {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class,
            () -> load("redis-url: redis://h:6379\nredis:\n  fixed-window: incr\n" + RULES));
    assertThat(failure).isNotNull();
    List<ConfigProblem> problems = failure.problems();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).toString())
        .contains("rules.yaml:3")
        .contains("incr")
        .contains("script")
        .contains("commands");
  }
}
