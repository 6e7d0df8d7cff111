package io.fastlimit.it;

/**
 * {@link JettyFrontDoorDistributionContract} on the jetty-home 9.4 (javax, Servlet 3.1)
 * distribution.
 */
class Jetty94FrontDoorDistributionTest extends JettyFrontDoorDistributionContract {

  @Override
  String distribution() {
    return "jetty94";
  }

  @Override
  boolean jakarta() {
    return false;
  }
}
