package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import org.junit.jupiter.api.Test;

class ChargeTest {

  private static final RateLimitRule LOGIN =
      new RateLimitRule(
          0,
          "login",
          null,
          null,
          Rate.parse("5/min"),
          Rate.parse("20/hour"),
          3,
          Algorithm.TOKEN_BUCKET,
          true,
          false);

  @Test
  void aChargeDrawsOnTheRateOfItsBucketKindWithTheRulesCostAndAlgorithm() {
    Charge ip = new Charge(LOGIN, BucketKind.IP, "p:login:ip:{", "203.0.113.7");
    Charge user = new Charge(LOGIN, BucketKind.USER, "p:login:user:{", "alice");

    assertThat(ip.limit()).isEqualTo(5);
    assertThat(ip.windowMillis()).isEqualTo(60_000);
    assertThat(user.limit()).isEqualTo(20);
    assertThat(user.windowMillis()).isEqualTo(3_600_000);
    assertThat(user.rule()).isSameAs(LOGIN);
    assertThat(user.kind()).isEqualTo(BucketKind.USER);
    assertThat(user.cost()).isEqualTo(3);
    assertThat(user.algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
    assertThat(user.observeOnly()).as("a dry-run rule's charge").isTrue();
  }

  @Test
  void theKeyIsTheKeyStartOfTheRuleAndKindThenTheClientAsAHashTag() {
    String keyStart = Charge.keyStart("fastlimit", "login", BucketKind.USER);

    Charge charge = new Charge(LOGIN, BucketKind.USER, keyStart, "alice");

    assertThat(keyStart).isEqualTo("fastlimit:login:user:{");
    assertThat(charge.key()).isEqualTo("fastlimit:login:user:{alice}");
    assertThat(charge.keyStart()).isSameAs(keyStart);
    assertThat(charge.client()).isEqualTo("alice");
  }

  @Test
  void aKindTheRuleHasNoRateForIsRefused() {
    RateLimitRule ipOnly =
        new RateLimitRule(
            1,
            "api",
            null,
            null,
            Rate.parse("5/min"),
            null,
            1,
            Algorithm.FIXED_WINDOW,
            false,
            false);

    assertThatThrownBy(() -> new Charge(ipOnly, BucketKind.USER, "p:api:user:{", "alice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api");
  }
}
