package io.fastlimit.it;

/**
 * {@link FormWithoutCharsetContract} on the jetty-home 11 (jakarta) distribution, decided at the
 * container's front door ({@code HttpChannel.dispatch}), before any handler.
 */
class Jetty11FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return JettyLoginServletWar.start("jetty11", true, rulesYaml);
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
