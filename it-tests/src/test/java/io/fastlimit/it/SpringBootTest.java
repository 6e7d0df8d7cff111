package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Spring Boot fat jar with Spring Security: classes from nested jars, per-user buckets from the
 * principal and from a request attribute the app sets, and a form login that Spring Security
 * answers inside its filter chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootTest {

  private ChildApp principalMode;
  private ChildApp attributeMode;

  /** The fat jar to run: Tomcat inside here; Jetty and Undertow in the subclasses. */
  Path appJar() {
    return Build.springBootSample();
  }

  @BeforeAll
  void start() throws Exception {
    principalMode =
        ChildApp.sample(
            appJar(),
            Build.rulesFile(
                    "boot-principal",
                    """
                    user-id:
                      principal: true
                    rules:
                      - name: api
                        path: /api/public/x*
                        ip: 2/hour
                        user: 3/hour
                      - name: user-only
                        path: /api/public/u*
                        user: 1/hour
                      - name: login
                        path: /login
                        methods: [POST]
                        limit: 3/hour
                        before-filters: true
                    """)
                .toString());
    attributeMode =
        ChildApp.sample(
            appJar(),
            Build.rulesFile(
                    "boot-attribute",
                    """
                    rules:
                      - name: api
                        path: /api/**
                        ip: 1/hour
                        user: 2/hour
                      - name: login-at-servlet
                        path: /login
                        methods: [POST]
                        limit: 1/hour
                    """)
                .toString());
  }

  @AfterAll
  void stop() throws Exception {
    principalMode.close();
    attributeMode.close();
  }

  static String basic(String user) {
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eachSignedInUserHasABucketAndAnonymousRequestsShareTheIpBucket() throws Exception {
    assertThat(principalMode.get("/api/public/x1").status()).isEqualTo(200);
    assertThat(principalMode.get("/api/public/x2").status()).isEqualTo(200);
    assertThat(principalMode.get("/api/public/x3").status()).isEqualTo(429);
    for (String user : new String[] {"alice", "bob"}) {
      for (int i = 1; i <= 3; i++) {
        HttpResult ok = principalMode.get("/api/public/x" + i, basic(user));
        assertThat(ok.status()).as("%s request %d", user, i).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("hello " + user + " from x" + i);
        assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(3);
        assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(3 - i);
      }
      assertThat(principalMode.get("/api/public/x9", basic(user)).status()).isEqualTo(429);
    }
  }

  @Test
  void aUserOnlyRuleLetsAnonymousRequestsThrough() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResult anonymous = principalMode.get("/api/public/u1");
      assertThat(anonymous.status()).isEqualTo(200);
      assertThat(anonymous.hasHeader("X-RateLimit-Limit")).isFalse();
    }
    assertThat(principalMode.get("/api/public/u1", basic("alice")).status()).isEqualTo(200);
    assertThat(principalMode.get("/api/public/u1", basic("alice")).status()).isEqualTo(429);
  }

  @Test
  void aFormLoginAnsweredInsideTheSecurityFilterChainIsLimited() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResult failed = principalMode.post("/login", "username=alice&password=guess" + i);
      assertThat(failed.status()).isEqualTo(302);
      assertThat(failed.header("Location")).endsWith("/login?error");
    }
    HttpResult blocked = principalMode.post("/login", "username=alice&password=secret");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.longHeader("Retry-After")).isPositive();
  }

  @Test
  void aServletRuleOnALoginTheSecurityFiltersAnswerIsReportedAsNeverApplying() throws Exception {
    // without before-filters the rule is decided at the servlet, which a form login never
    // reaches: not limited, and the log says so, naming the filter that answered
    for (int i = 0; i < 3; i++) {
      HttpResult failed = attributeMode.post("/login", "username=alice&password=guess" + i);
      assertThat(failed.status()).isEqualTo(302);
    }
    attributeMode.awaitOutput(
        "WARN rule login-at-servlet covers POST /login, but the application answered that request"
            + " inside the filter org.springframework.security.web.authentication"
            + ".UsernamePasswordAuthenticationFilter before any servlet");
    assertThat(attributeMode.output().split("rule login-at-servlet covers", -1)).hasSize(2);
    // requests that reach a servlet are not reported
    assertThat(attributeMode.output()).doesNotContain("rule api covers");
  }

  @Test
  void theUserIdAttributeTheAppSetsSelectsTheUserBucket() throws Exception {
    assertThat(attributeMode.get("/api/public/a").status()).isEqualTo(200);
    assertThat(attributeMode.get("/api/public/a").status()).isEqualTo(429);
    assertThat(attributeMode.get("/api/private/a", basic("alice")).status()).isEqualTo(200);
    assertThat(attributeMode.get("/api/public/b", basic("alice")).status()).isEqualTo(200);
    assertThat(attributeMode.get("/api/public/c", basic("alice")).status()).isEqualTo(429);
    assertThat(attributeMode.get("/api/private/a", basic("bob")).status()).isEqualTo(200);
  }
}
