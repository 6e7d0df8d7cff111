package io.fastlimit.it;

import java.nio.file.Path;

/**
 * WebFlux shares the decision with the servlet containers, so its requests are counted in the
 * metrics and a reload of the rules file applies to them without a restart.
 */
class WebFluxReloadAndMetricsTest extends ReloadAndMetricsContract {

  @Override
  Path appJar() {
    return Build.webfluxSample();
  }

  @Override
  String stack() {
    return "webflux";
  }
}
