package io.fastlimit.it;

/**
 * {@link FormWithoutCharsetContract} on the jetty-home 9.4 (javax, Servlet 3.1) distribution, at
 * the servlet: the agent reads the body from Jetty's HttpInput and replays it through an
 * interceptor of its own.
 */
class Jetty94FormWithoutCharsetTest extends FormWithoutCharsetContract {
  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return JettyLoginServletWar.start("jetty94", false, rulesYaml);
  }

  @Override
  String rules() {
    return RULES;
  }
}
