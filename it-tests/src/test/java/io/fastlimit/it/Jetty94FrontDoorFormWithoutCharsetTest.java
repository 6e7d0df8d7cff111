package io.fastlimit.it;

/**
 * {@link FormWithoutCharsetContract} on the jetty-home 9.4 (javax, Servlet 3.1) distribution,
 * decided at the container's front door ({@code HttpChannel.dispatch}), before any handler.
 */
class Jetty94FrontDoorFormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return JettyLoginServletWar.start("jetty94", false, rulesYaml);
  }

  @Override
  String rules() {
    return FrontDoorRules.atContainer(RULES);
  }
}
