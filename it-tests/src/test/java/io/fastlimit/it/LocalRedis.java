package io.fastlimit.it;

import io.fastlimit.redisfixture.TestRedis;
import java.io.IOException;

/**
 * A Redis of the test's own, without persistence ({@link TestRedis}: Testcontainers when a Docker
 * daemon answers, else a redis-server on a free port, which .ci/run installs; with neither the
 * Redis it-tests are skipped, saying why). The agent in a child JVM reaches it by {@link #url()}.
 */
final class LocalRedis implements AutoCloseable {

  private final TestRedis redis;

  private LocalRedis(TestRedis redis) {
    this.redis = redis;
  }

  static LocalRedis start() {
    return new LocalRedis(TestRedis.start());
  }

  int port() {
    return redis.port();
  }

  String url() {
    return redis.uri();
  }

  /** Runs redis-cli against this server and returns its output. */
  String cli(String... command) throws IOException, InterruptedException {
    return redis.cli(command);
  }

  @Override
  public void close() {
    redis.close();
  }
}
