package io.fastlimit.it;

/**
 * {@link FormWithoutCharsetContract} on the jetty-home 11 (jakarta) distribution, at the servlet:
 * the agent reads the body from Jetty's HttpInput and replays it through an interceptor of its own.
 */
class Jetty11FormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return JettyLoginServletWar.start("jetty11", true, rulesYaml);
  }

  @Override
  String rules() {
    return RULES;
  }
}
