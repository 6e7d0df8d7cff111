package io.fastlimit.it;

import java.nio.file.Path;

/**
 * {@link FormWithoutCharsetContract} on the embedded Undertow 2.3 sample, decided at the
 * container's front door: the exchange goes to a worker thread before any handler, where its body
 * is read and handed back to Undertow.
 */
class Undertow2FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.undertowSample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
