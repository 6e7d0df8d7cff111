package io.fastlimit.it;

import java.nio.file.Path;

/**
 * {@link FormWithoutCharsetContract} on the embedded Jetty 12 (ee10) sample, decided at the
 * container's front door ({@code Server.handle}), where the request is Jetty's core request.
 */
class Jetty12FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.jettySample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
