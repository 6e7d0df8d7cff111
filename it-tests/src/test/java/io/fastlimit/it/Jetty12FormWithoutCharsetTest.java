package io.fastlimit.it;

import java.nio.file.Path;

/**
 * {@link FormWithoutCharsetContract} on the embedded Jetty 12 (ee10) sample, at the servlet: the
 * agent reads the body through its own wrapper of Jetty's core request, installed at {@code
 * Server.handle}, which replays the bytes to the application.
 */
class Jetty12FormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.jettySample();
  }

  @Override
  String rules() {
    return RULES;
  }
}
