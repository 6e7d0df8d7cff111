package io.fastlimit.it;

/**
 * Spring Boot WebFlux on Reactor Netty, no servlet API: the same limits, headers and 429 as the
 * servlet containers, decided once per request when its headers are parsed, with the connection
 * kept alive, pipelined requests answered in order, and HTTP/2 (h2c) streams limited alike.
 */
class WebFluxTest extends NettyStackContract {

  static final String RULES = "rules:\n" + COMMON_RULES;

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sample(Build.webfluxSample(), Build.rulesFile("webflux", RULES).toString());
  }
}
