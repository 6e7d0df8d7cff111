package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;

/**
 * A redis-server of a test class's own, a backend that counts some algorithms by plain commands
 * (on-error deny, no blocked cache), and a connection of the test's own to look at what the
 * counters leave there.
 */
final class CountersFixture {

  final RedisServer server;
  final RedisBackend backend;
  final RedisClient client;
  final StatefulRedisConnection<String, String> connection;
  final RedisCommands<String, String> redis;

  private CountersFixture(RedisServer server, RedisBackend backend) {
    this.server = server;
    this.backend = backend;
    this.client = RedisServer.client(server.uri());
    this.connection = client.connect();
    this.redis = connection.sync();
  }

  /** Started and connected, with {@code byCommands} counted by commands by {@code clock}. */
  static CountersFixture start(RedisClock clock, Algorithm... byCommands) throws Exception {
    RedisServer server = RedisServer.start();
    RedisConfig settings =
        new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY);
    for (Algorithm algorithm : byCommands) {
      settings = settings.withCounting(algorithm, RedisConfig.Counting.COMMANDS);
    }
    RedisBackend backend = RedisBackend.connect(settings, clock, new BlockedCache(0));
    RedisBackendTest.awaitConnected(backend);
    RedisServer.loadGiveBack(server.uri());
    return new CountersFixture(server, backend);
  }

  void close() throws Exception {
    backend.close();
    connection.close();
    client.shutdown();
    server.close();
  }
}
