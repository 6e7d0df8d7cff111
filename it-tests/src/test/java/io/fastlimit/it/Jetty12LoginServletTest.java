package io.fastlimit.it;

import java.nio.file.Path;

/** {@link LoginServletContract} on the embedded Jetty12 sample. */
class Jetty12LoginServletTest extends LoginServletContract {
  @Override
  Path sample() {
    return Build.jettySample();
  }
}
