package io.fastlimit.it;

import java.nio.file.Path;

/** {@link LoginServletContract} on the embedded Undertow2 sample. */
class Undertow2LoginServletTest extends LoginServletContract {
  @Override
  Path sample() {
    return Build.undertowSample();
  }
}
