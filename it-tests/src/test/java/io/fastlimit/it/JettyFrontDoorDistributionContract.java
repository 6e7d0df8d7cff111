package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A jetty-home distribution of 9.4, 10 or 11 with every rule decided at {@code stage: container}
 * (Jetty's HttpChannel, before the server's handlers): the {@link DeployedWarContract} checks on
 * the sample WAR (limits with headers and the agent's 429, a login filter limited before it runs,
 * no spelling of the context path reaching the servlet), and beside it a WAR whose BASIC login
 * Jetty's security handler answers, under {@code count: failures}: wrong passwords use the bucket,
 * successes are given back when Jetty completes them, and past the limit every attempt gets the
 * agent's 429 without a challenge, whatever X-Forwarded-For says (Jetty's
 * ForwardedRequestCustomizer is on; the front door sees the peer as received). One server per
 * class.
 */
abstract class JettyFrontDoorDistributionContract extends DeployedWarContract {

  static final String SECURE_RULE =
      """
        - path: /%s/secure/**
          stage: container
          ip: 3/hour
          count: failures
      """
          .formatted(JettyBasicLoginWar.CONTEXT);

  /** The distribution's key for {@link Build#distribution}: jetty94, jetty10, jetty11. */
  abstract String distribution();

  /** Jetty 11: the jakarta WARs; before: javax. */
  abstract boolean jakarta();

  @Override
  List<String> contexts() {
    return List.of(jakarta() ? "sample-webapp" : "sample-webapp-javax");
  }

  /** The sample WAR's rules at the front door (before-filters means nothing there), and BASIC's. */
  @Override
  String rules() {
    return FrontDoorRules.atContainer(super.rules().replace("    before-filters: true\n", ""))
        + SECURE_RULE;
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    String name = distribution() + "-front-door";
    Path sample = jakarta() ? Build.sampleWar() : Build.sampleWarJavax();
    return StandaloneJetty.start(
        javaHome(),
        Build.distribution(distribution()),
        name,
        // http-forwarded: Jetty's ForwardedRequestCustomizer rewrites the client address
        List.of("server", "http", "http-forwarded", "deploy", "annotations"),
        List.of(
            new StandaloneJetty.War(sample, contexts().get(0), null),
            new StandaloneJetty.War(
                JettyBasicLoginWar.war(name, jakarta()), JettyBasicLoginWar.CONTEXT, null)),
        rulesYaml,
        JettyBasicLoginWar::addRealm);
  }

  @Test
  void basicLoginsCountOnlyFailuresAndAreLimitedBeforeTheSecurityHandler() throws Exception {
    String target = "/" + JettyBasicLoginWar.CONTEXT + "/secure/x";
    for (int i = 1; i <= 2; i++) {
      HttpResult signedIn =
          GiveBacks.onceGivenBack(() -> server().get(target, basic(JettyBasicLoginWar.PASSWORD)));
      assertThat(signedIn.status()).as("success %d: %s", i, signedIn).isNotIn(401, 429);
      assertThat(signedIn.header("X-RateLimit-Limit")).isEqualTo("3");
    }
    for (int i = 1; i <= 3; i++) {
      String password = "guess-" + i;
      // a new X-Forwarded-For each time, which Jetty's customizer makes the client address: the
      // front door decides before it, on the peer as received (trusted-proxies: 0)
      String forwardedFor = "X-Forwarded-For: 198.51.100." + i;
      HttpResult wrong =
          GiveBacks.onceGivenBack(() -> server().get(target, basic(password), forwardedFor));
      assertThat(wrong.status()).as("wrong password %d: %s", i, wrong).isEqualTo(401);
      assertThat(wrong.header("WWW-Authenticate")).as("the authenticator answered").isNotNull();
    }
    for (String password : new String[] {"guess-4", JettyBasicLoginWar.PASSWORD}) {
      HttpResult blocked = server().get(target, basic(password), "X-Forwarded-For: 198.51.100.9");
      assertThat(blocked.status()).as("%s: %s", password, blocked).isEqualTo(429);
      assertThat(blocked.header("WWW-Authenticate")).as("no challenge: %s", blocked).isNull();
      assertThat(blocked.body()).contains("Rate limit exceeded");
      assertThat(blocked.header("X-RateLimit-Remaining")).isEqualTo("0");
      assertThat(blocked.longHeader("Retry-After")).isPositive();
    }
    HttpResult spelled = server().get("/" + JettyBasicLoginWar.CONTEXT + "/./secure;x=y/x");
    assertThat(spelled.status()).as("%s", spelled).isEqualTo(429);
  }

  private static String basic(String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }
}
