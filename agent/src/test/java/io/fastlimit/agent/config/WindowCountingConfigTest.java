package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code redis.fixed-window} and {@code redis.sliding-window}: windows counted by the scripts, or
 * by plain commands.
 */
class WindowCountingConfigTest {

  private static final String RULES =
      "rules: [{path: /a, limit: 5/min, algorithm: fixed-window}]\n";

  private static AgentConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "rules.yaml", name -> null);
  }

  @Test
  void theScriptsCountUnlessSaidOtherwise() throws Exception {
    AgentConfig config = load("redis-url: redis://h:6379\n" + RULES);
    assertThat(config.redis().fixedWindow()).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(config.redis().slidingWindow()).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(config.redis().toString()).doesNotContain("window");
  }

  @Test
  void commandsAreReadForFixedWindows() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n" + RULES).redis();
    assertThat(commands.fixedWindow()).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(commands.slidingWindow()).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.toString()).contains("fixed-window=commands").doesNotContain("sliding");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.withFixedWindow(RedisConfig.Counting.SCRIPT)).isEqualTo(script);
  }

  @Test
  void commandsAreReadForSlidingWindows() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  sliding-window: commands\n" + RULES).redis();
    assertThat(commands.slidingWindow()).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(commands.fixedWindow()).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.toString()).contains("sliding-window=commands").doesNotContain("fixed");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.hashCode())
        .isNotEqualTo(script.withFixedWindow(RedisConfig.Counting.COMMANDS).hashCode());
    assertThat(commands.withSlidingWindow(RedisConfig.Counting.SCRIPT)).isEqualTo(script);
    RedisConfig both =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n"
                + "  sliding-window: commands\n"
                + RULES)
            .redis();
    assertThat(both.fixedWindow()).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(both.slidingWindow()).isEqualTo(RedisConfig.Counting.COMMANDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed-window", "sliding-window"})
  void anotherWordIsRefusedNamingTheChoices(String setting) {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class,
            () -> load("redis-url: redis://h:6379\nredis:\n  " + setting + ": incr\n" + RULES));
    assertThat(failure).isNotNull();
    List<ConfigProblem> problems = failure.problems();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).toString())
        .contains("rules.yaml:3")
        .contains(setting)
        .contains("incr")
        .contains("script")
        .contains("commands");
  }
}
