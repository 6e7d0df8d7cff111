package io.fastlimit.it;

/**
 * {@link JettyFrontDoorDistributionContract} on the jetty-home 10 (javax, Servlet 4.0)
 * distribution.
 */
class Jetty10FrontDoorDistributionTest extends JettyFrontDoorDistributionContract {

  @Override
  String distribution() {
    return "jetty10";
  }

  @Override
  boolean jakarta() {
    return false;
  }
}
