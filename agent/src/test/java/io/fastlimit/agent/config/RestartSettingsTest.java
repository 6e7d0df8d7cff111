package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Backends;
import io.fastlimit.agent.backend.MemoryBackend;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RestartSettingsTest {

  private static final String RULES = "rules: [{path: /a, limit: 5/min}]\n";

  private static RestartSettings settings(String yaml) throws ConfigException {
    Function<String, String> env = Map.of("PASSWORD", "s3cret")::get;
    return ConfigLoader.parse(yaml + RULES, "rules.yaml", env).restartSettings();
  }

  @Test
  void sameSettingsWrittenDifferentlyAreEqual() throws ConfigException {
    assertThat(settings("redis-url: redis://:${PASSWORD}@h:1\nbackend-options: {a: 1, b: 2}\n"))
        .isEqualTo(settings("redis-url: \"redis://:s3cret@h:1\"\nbackend-options: {b: 2, a: 1}\n"))
        .hasSameHashCodeAs(
            settings("redis-url: \"redis://:s3cret@h:1\"\nbackend-options: {b: 2, a: 1}\n"));
  }

  @Test
  void eachRestartOnlySettingMakesADifference() throws ConfigException {
    RestartSettings base = settings("");
    assertThat(settings("memory: {max-keys: 5000}\n")).isNotEqualTo(base);
    assertThat(settings("metrics: {prometheus-port: 9464}\n")).isNotEqualTo(base);
    assertThat(settings("backend-options: {a: 1}\n")).isNotEqualTo(base);
    assertThat(settings("backend: com.example.Custom\n")).isNotEqualTo(base);
    assertThat(settings("redis-url: redis://h:1\n")).isNotEqualTo(base);
    assertThat(settings("redis-url: redis://:other@h:1\n"))
        .isNotEqualTo(settings("redis-url: redis://:s3cret@h:1\n"));
    assertThat(settings("redis-url: redis://h:1\nredis: {on-error: deny}\n"))
        .isNotEqualTo(settings("redis-url: redis://h:1\n"));
    assertThat(settings("redis-url: redis://h:1\nredis: {timeout: 80ms}\n"))
        .isNotEqualTo(settings("redis-url: redis://h:1\n"));
  }

  @Test
  void whatAReloadAppliesIsNoPartOfIt() throws ConfigException {
    assertThat(settings("key-prefix: other\nlog-level: debug\ndry-run: true\n"))
        .isEqualTo(settings(""));
  }

  @Test
  void theConfigsBoundsAndNamesAreTheBackendsOwn() {
    assertThat(RestartSettings.DEFAULT_MEMORY_MAX_KEYS).isEqualTo(MemoryBackend.DEFAULT_MAX_KEYS);
    assertThat(RestartSettings.MEMORY).isEqualTo(Backends.MEMORY);
    assertThat(RestartSettings.REDIS).isEqualTo(Backends.REDIS);
  }
}
