package io.fastlimit.it;

import java.nio.file.Path;

/** {@link LoginServletContract} on the embedded Tomcat11 sample. */
class Tomcat11LoginServletTest extends LoginServletContract {
  @Override
  Path sample() {
    return Build.jakartaSample();
  }
}
