package io.fastlimit.it;

/**
 * {@link JettyFrontDoorDistributionContract} on the jetty-home 11 (jakarta, Servlet 5.0)
 * distribution.
 */
class Jetty11FrontDoorDistributionTest extends JettyFrontDoorDistributionContract {

  @Override
  String distribution() {
    return "jetty11";
  }

  @Override
  boolean jakarta() {
    return true;
  }
}
