package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateTest {

  private static final String VALID_FORM = "write N/unit or N/Kunit, e.g. 10/min";

  @Test
  void parsesPerMinute() {
    Rate rate = Rate.parse("10/min");

    assertThat(rate.limit()).isEqualTo(10);
    assertThat(rate.windowMillis()).isEqualTo(60_000);
    assertThat(rate).hasToString("10/min");
  }

  @Test
  void parsesPerHour() {
    Rate rate = Rate.parse("100/hour");

    assertThat(rate.limit()).isEqualTo(100);
    assertThat(rate.windowMillis()).isEqualTo(3_600_000);
  }

  @Test
  void multiplierBeforeTheUnitStretchesTheWindow() {
    Rate rate = Rate.parse("3/5min");

    assertThat(rate.limit()).isEqualTo(3);
    assertThat(rate.windowMillis()).isEqualTo(5 * 60_000);
  }

  @ParameterizedTest
  @CsvSource({
    "s, 1000",
    "sec, 1000",
    "second, 1000",
    "seconds, 1000",
    "m, 60000",
    "min, 60000",
    "minute, 60000",
    "minutes, 60000",
    "h, 3600000",
    "hr, 3600000",
    "hour, 3600000",
    "hours, 3600000",
    "d, 86400000",
    "day, 86400000",
    "days, 86400000"
  })
  void everyUnitSpellingIsUnderstood(String unit, long millis) {
    assertThat(Rate.parse("7/" + unit).windowMillis()).isEqualTo(millis);
    assertThat(Rate.parse("7/2" + unit).windowMillis()).isEqualTo(2 * millis);
    assertThat(Rate.parse("7/" + unit).limit()).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {" 10/min", "10/min ", "10 / min", "10/ 5 min", "\t10/MIN\n", "10/Min"})
  void whiteSpaceAndUpperCaseAreAccepted(String text) {
    Rate rate = Rate.parse(text);

    assertThat(rate.limit()).isEqualTo(10);
    assertThat(rate.windowMillis()).isIn(60_000L, 300_000L);
  }

  @Test
  void upperCaseUnitMeansTheSameWindow() {
    assertThat(Rate.parse("5/HOUR")).isEqualTo(Rate.parse("5/hour"));
    assertThat(Rate.parse("5/3D")).isEqualTo(Rate.parse("5/3day"));
  }

  @Test
  void ratesWithTheSameLimitAndWindowAreEqualWhateverTheSpelling() {
    assertThat(Rate.parse("60/60s")).isEqualTo(Rate.parse("60/minute"));
    assertThat(Rate.parse("60/60s").hashCode()).isEqualTo(Rate.parse("60/minute").hashCode());
    assertThat(Rate.parse("60/min")).isNotEqualTo(Rate.parse("61/min"));
    assertThat(Rate.parse("60/min")).isNotEqualTo(Rate.parse("60/2min"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "10",
        "/min",
        "10/",
        "0/min",
        "-1/min",
        "+1/min",
        "10/fortnight",
        "ten/min",
        "10/0min",
        "10/-5min",
        "1.5/min",
        "10/min/s",
        "10 per min",
        "1e3/min",
        "9999999999999/min",
        "10/9999999999999min"
      })
  void invalidRateIsRefusedWithTheValidForm(String text) {
    assertThatThrownBy(() -> Rate.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid rate '" + text + "'")
        .hasMessageContaining(VALID_FORM);
  }

  @Test
  void unknownUnitIsNamed() {
    assertThatThrownBy(() -> Rate.parse("10/fortnight"))
        .hasMessageContaining("unknown unit 'fortnight'");
  }

  @Test
  void largestCountThatFitsTwelveDigitsIsAcceptedPerMillisecondWindow() {
    Rate rate = Rate.parse("999999999999/s");

    assertThat(rate.limit()).isEqualTo(999_999_999_999L);
  }

  @Test
  void limitTimesWindowBeyondTheBoundIsRefused() {
    // 999999999999 per day is ~8.6e19 limit-ms, above 2^60
    assertThatThrownBy(() -> Rate.parse("999999999999/day"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("999999999999/day")
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> Rate.parse("1000000/999999999999d"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void limitTimesWindowExactlyAtTheBoundIsAccepted() {
    long window = 1L << 20;
    long limit = Rate.MAX_LIMIT_TIMES_WINDOW / window;

    Rate rate = new Rate(limit, window, "edge");

    assertThat(rate.limit() * rate.windowMillis()).isEqualTo(Rate.MAX_LIMIT_TIMES_WINDOW);
    assertThatThrownBy(() -> new Rate(limit + 1, window, "edge+1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void constructorRefusesNonPositiveLimitOrWindow() {
    assertThatThrownBy(() -> new Rate(0, 1000, "0/s")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Rate(1, 0, "1/0s")).isInstanceOf(IllegalArgumentException.class);
  }
}
