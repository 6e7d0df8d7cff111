package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Quarkus REST (on Vert.x 4.5 HTTP): the agent decodes the request target itself and matches the
 * decoded, normalized path, whatever Quarkus REST then routes on.
 */
class QuarkusPathTrickTest extends PathTrickContract {

  @Override
  Path appJar() {
    return Build.quarkusSample();
  }

  @Override
  ChildApp start(Path rules) throws Exception {
    return QuarkusApp.start(rules);
  }
}
