package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Micronaut 4 on its Netty server: the agent decodes the request target itself (Micronaut hands
 * Netty's raw target to its router) and matches the decoded, normalized path.
 */
class MicronautPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.micronautSample();
  }
}
