package io.fastlimit.agent.backend.redis;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;

/** Rules whose decision may wait and never applies a rule; what deciding does is the test's. */
abstract class DecidingRules extends ActiveRules {

  DecidingRules() {
    super(false, null, false, null);
  }

  abstract void decide();

  @Override
  public boolean decisionMayWait() {
    return true;
  }

  @Override
  public Verdict decide(
      Stage stage,
      String method,
      String contextPath,
      String servletPath,
      String pathInfo,
      String peerAddress,
      String forwardedFor,
      String userId,
      Object request) {
    decide();
    return null;
  }

  @Override
  public void blockedOnCommittedResponse(
      Stage stage, String method, String contextPath, String servletPath, String pathInfo) {}
}
