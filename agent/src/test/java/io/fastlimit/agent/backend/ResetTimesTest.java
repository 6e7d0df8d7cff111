package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResetTimesTest {

  @Test
  void aChargeCountedUpToTheResetIsBeforeItAndALaterOneIsNot() {
    ResetTimes resets = new ResetTimes();
    assertThat(resets.before("r:ip:{", "203.0.113.7", 1_000)).isFalse();
    resets.record("r:ip:{", "203.0.113.7", 1_000);
    assertThat(resets.before("r:ip:{", "203.0.113.7", 999)).isTrue();
    assertThat(resets.before("r:ip:{", "203.0.113.7", 1_000)).as("the same ms").isTrue();
    assertThat(resets.before("r:ip:{", "203.0.113.7", 1_001)).isFalse();
    assertThat(resets.before("r:ip:{", "203.0.113.8", 999)).as("another client").isFalse();
    assertThat(resets.before("s:ip:{", "203.0.113.7", 999)).as("another rule").isFalse();
  }

  @Test
  void resetsAreForgottenAfterAnHourAndNeverMoreThanTheBoundAreKept() {
    ResetTimes resets = new ResetTimes();
    resets.record("r:ip:{", "old", 0);
    resets.record("r:ip:{", "new", ResetTimes.KEPT_MILLIS + 1); // prunes the one an hour older
    assertThat(resets.before("r:ip:{", "old", 0)).isFalse();
    assertThat(resets.before("r:ip:{", "new", 0)).isTrue();
    for (int i = 0; i < 3 * ResetTimes.MAX; i++) {
      resets.record("r:ip:{", "client-" + i, ResetTimes.KEPT_MILLIS + 2);
    }
    int kept = 0;
    for (int i = 0; i < 3 * ResetTimes.MAX; i++) {
      kept += resets.before("r:ip:{", "client-" + i, 0) ? 1 : 0;
    }
    assertThat(kept).isBetween(1, ResetTimes.MAX);
    assertThat(resets.before("r:ip:{", "client-" + (3 * ResetTimes.MAX - 1), 0))
        .as("the latest reset")
        .isTrue();
  }
}
