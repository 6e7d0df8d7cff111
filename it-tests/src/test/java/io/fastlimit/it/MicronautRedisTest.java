package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Micronaut with the Redis backend: the decision may wait for Redis, so it is made off the event
 * loop and Micronaut's routing resumes on the loop decided. The limit holds exactly under
 * concurrent requests, headers included, and with Redis unreachable every request is answered as
 * {@code on-error} says.
 */
class MicronautRedisTest extends RedisStackContract {

  @Override
  Path appJar() {
    return Build.micronautSample();
  }

  @Override
  String stack() {
    return "micronaut";
  }
}
