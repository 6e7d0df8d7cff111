package io.fastlimit.it;

import java.nio.file.Path;

/**
 * Vert.x shares the decision with the servlet containers, so its requests are counted in the
 * metrics and a reload of the rules file applies to them without a restart.
 */
class VertxReloadAndMetricsTest extends ReloadAndMetricsContract {

  @Override
  Path appJar() {
    return Build.vertxSample();
  }

  @Override
  String stack() {
    return "vertx";
  }
}
