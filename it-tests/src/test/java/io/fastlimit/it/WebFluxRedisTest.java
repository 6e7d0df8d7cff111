package io.fastlimit.it;

import java.nio.file.Path;

/**
 * WebFlux with the Redis backend: the decision may wait for Redis, so it is made off the event loop
 * and the request resumes on it decided. The limit holds exactly under concurrent requests, and
 * with Redis unreachable every request is answered as {@code on-error} says.
 */
class WebFluxRedisTest extends RedisStackContract {

  @Override
  Path appJar() {
    return Build.webfluxSample();
  }

  @Override
  String stack() {
    return "webflux";
  }
}
