package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fastlimit.agent.rules.Algorithm;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code redis.fixed-window}, {@code redis.sliding-window} and {@code redis.token-bucket}: counted
 * by the scripts, or by plain commands.
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
    assertThat(config.redis().counting(Algorithm.FIXED_WINDOW))
        .isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(config.redis().counting(Algorithm.SLIDING_WINDOW))
        .isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(config.redis().counting(Algorithm.TOKEN_BUCKET))
        .isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(config.redis().countsByCommands()).isFalse();
    assertThat(config.redis().toString()).doesNotContain("window").doesNotContain("token");
  }

  @Test
  void commandsAreReadForTokenBuckets() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  token-bucket: commands\n" + RULES).redis();
    assertThat(commands.counting(Algorithm.TOKEN_BUCKET)).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(commands.counting(Algorithm.FIXED_WINDOW)).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.counting(Algorithm.SLIDING_WINDOW)).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.counting(Algorithm.SLIDING_LOG)).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.countsByCommands()).isTrue();
    assertThat(commands.toString()).contains("token-bucket=commands").doesNotContain("window");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.SCRIPT))
        .isEqualTo(script);
    RedisConfig all =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n"
                + "  sliding-window: commands\n  token-bucket: commands\n"
                + RULES)
            .redis();
    assertThat(all.toString())
        .contains("fixed-window=commands", "sliding-window=commands", "token-bucket=commands");
    assertThat(all.withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.SCRIPT))
        .isNotEqualTo(all)
        .isEqualTo(
            script
                .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS)
                .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS));
  }

  @Test
  void commandsAreReadForFixedWindows() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n" + RULES).redis();
    assertThat(commands.counting(Algorithm.FIXED_WINDOW)).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(commands.counting(Algorithm.SLIDING_WINDOW)).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.toString()).contains("fixed-window=commands").doesNotContain("sliding");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.SCRIPT))
        .isEqualTo(script);
  }

  @Test
  void commandsAreReadForSlidingWindows() throws Exception {
    RedisConfig commands =
        load("redis-url: redis://h:6379\nredis:\n  sliding-window: commands\n" + RULES).redis();
    assertThat(commands.counting(Algorithm.SLIDING_WINDOW))
        .isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(commands.counting(Algorithm.FIXED_WINDOW)).isEqualTo(RedisConfig.Counting.SCRIPT);
    assertThat(commands.toString()).contains("sliding-window=commands").doesNotContain("fixed");
    RedisConfig script = load("redis-url: redis://h:6379\n" + RULES).redis();
    assertThat(commands).as("another Redis setting").isNotEqualTo(script);
    assertThat(commands.hashCode())
        .isNotEqualTo(
            script.withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS).hashCode());
    assertThat(commands.withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.SCRIPT))
        .isEqualTo(script);
    RedisConfig both =
        load("redis-url: redis://h:6379\nredis:\n  fixed-window: commands\n"
                + "  sliding-window: commands\n"
                + RULES)
            .redis();
    assertThat(both.counting(Algorithm.FIXED_WINDOW)).isEqualTo(RedisConfig.Counting.COMMANDS);
    assertThat(both.counting(Algorithm.SLIDING_WINDOW)).isEqualTo(RedisConfig.Counting.COMMANDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed-window", "sliding-window", "token-bucket"})
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
