package io.fastlimit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.request.RequestFacts;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class ApiKeyHeaderTest {

  private static Identified identify(HttpServletRequest request) {
    return new ApiKeyHeader("X-Api-Key").identify(request, RequestFacts.of(request));
  }

  @Test
  void theKeyIsTheUserIdHashedNeverInClear() {
    Identified who = identify(Requests.withHeader("X-Api-Key", "sk_live_abcdef123456"));

    assertThat(who.user()).startsWith("~k").doesNotContain("sk_live").doesNotContain("abcdef");
    assertThat(who.user()).isEqualTo(ApiKeyHeader.hashed("sk_live_abcdef123456"));
    assertThat(identify(Requests.withHeader("X-Api-Key", " sk_live_abcdef123456 ")).user())
        .isEqualTo(who.user());
  }

  @Test
  void twoKeysAreTwoUsers() {
    assertThat(identify(Requests.withHeader("X-Api-Key", "key-one")).user())
        .isNotEqualTo(identify(Requests.withHeader("X-Api-Key", "key-two")).user());
  }

  @Test
  void noKeyOrAnEmptyOneIsAnonymous() {
    assertThat(identify(Requests.with(Map.of(), Map.of()))).isSameAs(Identified.ANONYMOUS);
    assertThat(identify(Requests.withHeader("X-Api-Key", "  "))).isSameAs(Identified.ANONYMOUS);
    assertThat(identify(Requests.withHeader("X-Api-Key", "k".repeat(5000))))
        .isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void thePlanComesFromAHeaderOrAnAttributeForUsersOnly() {
    ClientIdentity byHeader =
        new ClientIdentity(new ApiKeyHeader("X-Api-Key"), PlanSource.parse("header:X-Plan"));
    ClientIdentity byAttribute = new ClientIdentity(null, PlanSource.parse("attribute:plan"));

    assertThat(
            byHeader
                .identify(Requests.with(Map.of("X-Api-Key", "k", "X-Plan", "pro"), Map.of()), null)
                .plan())
        .isEqualTo("pro");
    assertThat(byHeader.identify(Requests.withHeader("X-Plan", "pro"), null))
        .isSameAs(Identified.ANONYMOUS);
    Identified fromEntry =
        byAttribute.identify(Requests.with(Map.of(), Map.of("plan", "free")), "bob");
    assertThat(fromEntry.user()).isEqualTo("bob");
    assertThat(fromEntry.plan()).isEqualTo("free");
  }
}
