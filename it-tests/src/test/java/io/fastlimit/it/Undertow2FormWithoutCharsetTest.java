package io.fastlimit.it;

import java.nio.file.Path;

/** {@link FormWithoutCharsetContract} on the embedded Undertow 2.3 sample, at the servlet. */
class Undertow2FormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  Path sample() {
    return Build.undertowSample();
  }

  @Override
  String rules() {
    return RULES;
  }
}
