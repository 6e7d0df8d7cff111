package io.fastlimit.it;

import java.nio.file.Path;

/** {@link FormWithoutCharsetContract} on the embedded Tomcat 11 sample, at the servlet. */
class Tomcat11FormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.jakartaSample();
  }

  @Override
  String rules() {
    return RULES;
  }
}
