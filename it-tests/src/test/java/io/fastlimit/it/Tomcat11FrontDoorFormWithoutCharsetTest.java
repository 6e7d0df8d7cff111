package io.fastlimit.it;

import java.nio.file.Path;

/**
 * {@link FormWithoutCharsetContract} on the embedded Tomcat 11 sample, decided at the container's
 * front door, where the request is Tomcat's own connector request.
 */
class Tomcat11FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.jakartaSample();
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
