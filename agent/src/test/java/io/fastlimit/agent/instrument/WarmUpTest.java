package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import org.junit.jupiter.api.Test;

class WarmUpTest {

  /**
   * The warm-up is worth its cost only if it runs the whole path an application's servlet takes:
   * matched, advice resolved and woven, for both servlet APIs; and it must log nothing.
   */
  @Test
  void theWarmUpServletsAreWovenLikeAnApplicationsAndNothingIsLogged() throws Exception {
    CapturedLog log = new CapturedLog();
    log.start();
    try {
      assertThat(WarmUp.run(AgentInstrumentation.builder().makeRaw())).isTrue();
      assertThat(log.text()).isEmpty();
    } finally {
      log.stop();
    }
  }
}
