package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Jetty 12 with its ForwardedRequestCustomizer, which wraps the core request. */
class Jetty12ForwardedTest extends ForwardingContainerContract {

  @Override
  Path appJar() {
    return Build.jettySample();
  }

  @Override
  String reportedRewriting() {
    return "Jetty 12's ForwardedRequestCustomizer rewrites";
  }
}
