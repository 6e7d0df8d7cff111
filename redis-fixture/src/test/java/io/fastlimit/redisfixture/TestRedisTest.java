package io.fastlimit.redisfixture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A started test Redis is a server of its own, answering on its port. */
class TestRedisTest {

  @Test
  void aStartedServerAnswersOnItsPort() throws Exception {
    try (TestRedis redis = TestRedis.start()) {
      assertThat(redis.cli("PING").trim()).isEqualTo("PONG");
      assertThat(redis.cli("SET", "fixture-key", "1").trim()).isEqualTo("OK");
      assertThat(redis.cli("GET", "fixture-key").trim()).isEqualTo("1");
    }
  }
}
