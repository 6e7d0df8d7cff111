package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rules language through a real container: client identity behind proxies (and spoofing),
 * exempt networks, cost, both header styles and a custom blocked response.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RulesLanguageTest {

  private ChildApp behindProxy;
  private ChildApp direct;

  @BeforeAll
  void start() throws Exception {
    behindProxy =
        ChildApp.sample(
            Build.jakartaSample(),
            Build.rulesFile(
                    "proxy",
                    """
                    trusted-proxies: 1
                    exempt-ips: [10.0.0.0/8, "2001:db8:ffff::/48"]
                    rules:
                      - name: api
                        path: /api/**
                        limit: 2/hour
                    """)
                .toString());
    direct =
        ChildApp.sample(
            Build.jakartaSample(),
            Build.rulesFile(
                    "direct",
                    """
                    headers:
                      style: both
                    response:
                      status: 503
                      content-type: text/plain
                      body: "slow down: {rule} allows {limit}, retry in {retry_after}s"
                    rules:
                      - name: api
                        path: /api/**
                        limit: 2/hour
                      - name: upload
                        path: /hello
                        limit: 10/hour
                        cost: 4
                    """)
                .toString());
  }

  @AfterAll
  void stop() throws Exception {
    behindProxy.close();
    direct.close();
  }

  @Test
  void behindOneTrustedProxyTheRightmostForwardedAddressIsTheClient() throws Exception {
    // the proxy appended 198.51.100.1; what the client wrote before it is ignored
    for (String spoofed : new String[] {"1.1.1.1", "2.2.2.2", "3.3.3.3"}) {
      HttpResult result =
          behindProxy.get("/api/a", "X-Forwarded-For: " + spoofed + ", 198.51.100.1");
      if (result.status() == 429) {
        assertThat(spoofed).isEqualTo("3.3.3.3");
      }
    }
    assertThat(behindProxy.get("/api/a", "X-Forwarded-For: 198.51.100.1").status()).isEqualTo(429);
    // another client behind the same proxy has its own bucket
    assertThat(behindProxy.get("/api/a", "X-Forwarded-For: 198.51.100.2").status()).isEqualTo(200);
  }

  @Test
  void aForwardedForSplitOverTwoHeaderLinesIsReadWhole() throws Exception {
    HttpResult first =
        behindProxy.get("/api/b", "X-Forwarded-For: 9.9.9.9", "X-Forwarded-For: 198.51.100.7");
    assertThat(first.longHeader("X-RateLimit-Remaining")).isEqualTo(1);
    HttpResult second = behindProxy.get("/api/b", "X-Forwarded-For: 198.51.100.7");
    assertThat(second.longHeader("X-RateLimit-Remaining")).isZero();
  }

  @Test
  void exemptNetworksSkipEveryRuleAndGetNoHeaders() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResult v4 = behindProxy.get("/api/c", "X-Forwarded-For: 10.1.2.3");
      assertThat(v4.status()).isEqualTo(200);
      assertThat(v4.hasHeader("X-RateLimit-Limit")).isFalse();
      HttpResult v6 = behindProxy.get("/api/c", "X-Forwarded-For: 2001:db8:ffff:1::5");
      assertThat(v6.status()).isEqualTo(200);
      assertThat(v6.hasHeader("X-RateLimit-Limit")).isFalse();
    }
  }

  @Test
  void ipv6ClientsShareTheBucketOfTheirSlash64() throws Exception {
    assertThat(
            behindProxy
                .get("/api/d", "X-Forwarded-For: 2001:db8:1:2::1")
                .longHeader("X-RateLimit-Remaining"))
        .isEqualTo(1);
    assertThat(
            behindProxy
                .get("/api/d", "X-Forwarded-For: 2001:db8:1:2:ffff::9")
                .longHeader("X-RateLimit-Remaining"))
        .isZero();
    assertThat(behindProxy.get("/api/d", "X-Forwarded-For: 2001:db8:1:3::1").status())
        .isEqualTo(200);
  }

  @Test
  void withoutTrustedProxiesForwardedForIsIgnored() throws Exception {
    assertThat(direct.get("/api/x", "X-Forwarded-For: 1.1.1.1").status()).isEqualTo(200);
    assertThat(direct.get("/api/x", "X-Forwarded-For: 2.2.2.2").status()).isEqualTo(200);
    assertThat(direct.get("/api/x", "X-Forwarded-For: 3.3.3.3").status()).isEqualTo(503);
  }

  @Test
  void customResponseAndBothHeaderStyles() throws Exception {
    HttpResult ok = direct.get("/hello");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(10);
    assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(6);
    assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"upload\";q=10;w=3600");
    assertThat(ok.header("RateLimit")).matches("\"upload\";r=6;t=\\d+");
    direct.get("/hello");
    HttpResult blocked = direct.get("/hello");
    // cost 4 of 10: the third request does not fit although 2 units remain
    assertThat(blocked.status()).isEqualTo(503);
    assertThat(blocked.longHeader("X-RateLimit-Remaining")).isEqualTo(2);
    assertThat(blocked.header("Content-Type")).startsWith("text/plain");
    long retryAfter = blocked.longHeader("Retry-After");
    assertThat(blocked.body())
        .isEqualTo("slow down: upload allows 10, retry in " + retryAfter + "s");
  }

  @Test
  void checkCommandPrintsTheRulesOrEveryProblem() throws Exception {
    Path good =
        Build.rulesFile("check-good", "rules: [{path: /login, methods: [post], limit: 5/min}]");
    Path bad =
        Build.rulesFile(
            "check-bad",
            """
            trusted-proxies: many
            rules:
              - path: login
                limit: 5/fortnight
            """);
    Result ok = run("check", good.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.output())
        .contains("OK, 1 rule(s)")
        .contains("POST /login: /login methods=POST ip=5/min");
    Result broken = run("check", bad.toString());
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.output())
        .contains(bad + ":1:18: expected a whole number from 0 to 16, found 'many'")
        .contains(bad + ":3:11: invalid path 'login'")
        .contains(bad + ":4:12: invalid rate '5/fortnight'")
        .contains("3 problem(s)");
  }

  record Result(int exit, String output) {}

  private static Result run(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Build.java().toString(), "-jar", Build.agentJar().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }
}
