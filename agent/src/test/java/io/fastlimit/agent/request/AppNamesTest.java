package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppNamesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "io.fastlimit.agent.shaded.netty.channel.Channel, io.netty.channel.Channel",
    "io/fastlimit/agent/shaded/netty/util/AttributeKey, io/netty/util/AttributeKey",
    "io.fastlimit.agent.shaded.reactor.netty.Connection, reactor.netty.Connection",
    "io/fastlimit/agent/shaded/reactor/core/publisher/Mono, reactor/core/publisher/Mono",
    "io/fastlimit/agent/shaded/reactivestreams/Publisher, org/reactivestreams/Publisher",
    "io.fastlimit.agent.shaded.lettuce.core.RedisClient, io.fastlimit.agent.shaded.lettuce.core.RedisClient",
    "io.netty.channel.Channel, io.netty.channel.Channel",
    "io/fastlimit/bootstrap/Verdict, io/fastlimit/bootstrap/Verdict",
  })
  void relocatedNamesOfTheAppsLibrariesGetTheirOriginalNamesBack(String name, String original) {
    assertThat(AppNames.original(name)).isEqualTo(original);
  }
}
