package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Spring Boot WebFlux on Reactor Netty: the agent decodes the request target itself (Reactor Netty
 * hands it over raw) and matches the decoded, normalized path.
 */
class WebFluxPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.webfluxSample();
  }
}
