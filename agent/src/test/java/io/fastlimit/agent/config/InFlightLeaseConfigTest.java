package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code redis.in-flight-lease}: how long a {@code concurrent:} slot is held in Redis at most. */
class InFlightLeaseConfigTest {

  private static final String RULES = "rules: [{path: /a, limit: 1/s, concurrent: 2}]\n";

  private static AgentConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "rules.yaml", name -> null);
  }

  private static List<ConfigProblem> problems(String yaml) {
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> load(yaml));
    assertThat(failure).as("a problem is reported").isNotNull();
    return failure.problems();
  }

  @Test
  void theLeaseIsAMinuteUnlessSet() throws Exception {
    AgentConfig config = load("redis-url: redis://h:6379\n" + RULES);
    assertThat(config.redis().inFlightLeaseMillis()).isEqualTo(60_000);
  }

  @Test
  void theLeaseIsRead() throws Exception {
    AgentConfig config = load("redis-url: redis://h:6379\nredis:\n  in-flight-lease: 5m\n" + RULES);
    assertThat(config.redis().inFlightLeaseMillis()).isEqualTo(300_000);
  }

  @Test
  void anotherLeaseIsAnotherRedisSetting() throws Exception {
    RedisConfig minute = load("redis-url: redis://h:6379\n" + RULES).redis();
    RedisConfig tenSeconds =
        load("redis-url: redis://h:6379\nredis: {in-flight-lease: 10s}\n" + RULES).redis();
    assertThat(tenSeconds).isNotEqualTo(minute);
    assertThat(tenSeconds.withInFlightLease(60_000)).isEqualTo(minute);
  }

  @Test
  void aLeaseShorterThanASecondIsRefusedSayingTheRange() {
    List<ConfigProblem> problems =
        problems("redis-url: redis://h:6379\nredis:\n  in-flight-lease: 500ms\n" + RULES);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).toString())
        .contains("rules.yaml:3")
        .contains("redis.in-flight-lease must be from 1s to 24h")
        .contains("in-flight-lease: 60s");
  }

  @Test
  void aLeaseLongerThanADayIsRefused() {
    assertThat(
            problems("redis-url: redis://h:6379\nredis:\n  in-flight-lease: 25h\n" + RULES)
                .get(0)
                .toString())
        .contains("from 1s to 24h");
  }

  @Test
  void aLeaseThatIsNoDurationIsRefusedSayingHowToWriteOne() {
    assertThat(
            problems("redis-url: redis://h:6379\nredis:\n  in-flight-lease: forever\n" + RULES)
                .get(0)
                .toString())
        .contains("invalid duration 'forever'");
  }
}
