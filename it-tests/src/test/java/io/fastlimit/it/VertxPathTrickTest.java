package io.fastlimit.it;

import java.nio.file.Path;

/**
 * A Vert.x 5 web app: the agent decodes the request target itself (Vert.x hands it over raw) and
 * matches the decoded, normalized path, whatever vertx-web's Router then routes on.
 */
class VertxPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.vertxSample();
  }
}
