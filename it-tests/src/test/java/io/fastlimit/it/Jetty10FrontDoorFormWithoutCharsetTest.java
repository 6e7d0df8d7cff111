package io.fastlimit.it;

/**
 * {@link FormWithoutCharsetContract} on the jetty-home 10 (javax) distribution, decided at the
 * container's front door ({@code HttpChannel.dispatch}), before any handler.
 */
class Jetty10FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return JettyLoginServletWar.start("jetty10", false, rulesYaml);
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
