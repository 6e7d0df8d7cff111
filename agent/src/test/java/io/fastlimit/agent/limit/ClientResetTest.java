package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The operator's reset: by kind and id, one rule or all, ids as sent or as logged. */
class ClientResetTest {

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final MemoryBackend backend = new MemoryBackend(clock::get, 1000);
  private final AgentConfig config;
  private final ClientReset reset;

  ClientResetTest() throws Exception {
    config =
        ConfigLoader.parse(
            "key-prefix: ops\n"
                + "exempt-ips: [10.0.0.0/8]\n"
                + "rules:\n"
                + "  - {name: login, path: /login, ip: 1/hour, user: 1/hour}\n"
                + "  - {name: api, path: /api/**, ip: 1/hour}\n"
                + "  - {name: signin, path: /signin, ip: 9/hour, account: 1/hour,"
                + " account-from: 'header:X-User', count: failures}\n",
            "rules.yaml",
            name -> null);
    reset = new ClientReset(() -> config, () -> backend);
  }

  private RateLimitRule rule(String name) {
    for (RateLimitRule rule : config.rules().rules()) {
      if (rule.name().equals(name)) {
        return rule;
      }
    }
    throw new AssertionError(name);
  }

  private Outcome hit(String rule, BucketKind kind, String client) {
    return backend.acquire(
        new Charge(rule(rule), kind, Charge.keyStart("ops", rule, kind), client));
  }

  @Test
  void anAccountIsFoundAsTheLimiterKeysIt() {
    String key = AccountKey.of("ops", "alice@example.com"); // trimmed and case folded first
    hit("signin", BucketKind.ACCOUNT, key);
    assertThat(hit("signin", BucketKind.ACCOUNT, key).allowed()).isFalse();

    String report = reset.reset("account", "  Alice@Example.com ", "signin");

    assertThat(report).isEqualTo("signin: account " + key + " reset").doesNotContain("alice");
    assertThat(hit("signin", BucketKind.ACCOUNT, key).allowed()).isTrue();
  }

  @Test
  void resettingAnIpInOneRuleLetsItInThereOnly() {
    hit("login", BucketKind.IP, "203.0.113.7");
    hit("api", BucketKind.IP, "203.0.113.7");
    assertThat(hit("login", BucketKind.IP, "203.0.113.7").allowed()).isFalse();

    String report = reset.reset("ip", "203.0.113.7", "login");

    assertThat(report).isEqualTo("login: ip 203.0.113.7 reset");
    assertThat(hit("login", BucketKind.IP, "203.0.113.7").allowed()).isTrue();
    assertThat(hit("api", BucketKind.IP, "203.0.113.7").allowed()).isFalse();
  }

  @Test
  void resettingInEveryRuleCoversEachRuleWithThatKind() {
    hit("login", BucketKind.IP, "203.0.113.7");
    String report = reset.reset("IP", "203.0.113.7", "*");
    assertThat(report)
        .contains("login: ip 203.0.113.7 reset")
        .contains("api: ip 203.0.113.7 had no counter");
  }

  @Test
  void aUserIsFoundBySentIdAndByItsLoggedForm() {
    String longId = "someone-with-a-rather-long-id-" + "x".repeat(80);
    String logged = KeyText.bounded(longId);
    hit("login", BucketKind.USER, logged);
    hit("login", BucketKind.USER, "alice");

    assertThat(reset.reset("user", longId, null)).contains("reset");
    assertThat(reset.reset("user", "alice", "login")).contains("reset");
    hit("login", BucketKind.USER, logged);
    assertThat(reset.reset("user", logged, "login")).isEqualTo("login: user " + logged + " reset");
  }

  @Test
  void mistakesSayWhatToWrite() {
    assertThatThrownBy(() -> reset.reset("host", "a", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ip")
        .hasMessageContaining("user");
    assertThatThrownBy(() -> reset.reset("user", "alice", "api"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[login]");
    assertThatThrownBy(() -> reset.reset("ip", "1.2.3.4", "nope"))
        .hasMessageContaining("[login, api, signin]");
    assertThat(reset.reset("ip", "10.1.2.3", null)).contains("exempt");
  }

  @Test
  void aBackendThatCannotResetSaysSo() {
    Backend plain = charges -> new Outcome[charges.length];
    ClientReset onPlain = new ClientReset(() -> config, () -> plain);
    assertThatThrownBy(() -> onPlain.reset("ip", "203.0.113.7", null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot reset");
  }
}
