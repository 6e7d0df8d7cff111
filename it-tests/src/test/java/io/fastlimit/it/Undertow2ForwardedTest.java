package io.fastlimit.it;

import java.nio.file.Path;

/** Embedded Undertow 2 behind its ProxyPeerAddressHandler (proxy-address-forwarding). */
class Undertow2ForwardedTest extends ForwardingContainerContract {

  @Override
  Path appJar() {
    return Build.undertowSample();
  }

  @Override
  String reportedRewriting() {
    return "Undertow's proxy-address-forwarding (ProxyPeerAddressHandler) rewrites";
  }
}
