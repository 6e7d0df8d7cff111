package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Spring Security's form login (302 to /login?error) and HTTP Basic (401 from a filter) protected
 * with count: failures and an account bucket, decided before the filters: wrong passwords are
 * limited, successes never use the buckets, one account attacked from many addresses is limited,
 * and an office behind one address keeps logging in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootLoginTest {

  private ChildApp app;
  private LoginClient client;

  @BeforeAll
  void start() throws Exception {
    app =
        ChildApp.sample(
            Build.springBootSample(),
            Build.rulesFile(
                    "boot-login",
                    """
                    trusted-proxies: 1
                    rules:
                      - name: form-login
                        path: /login
                        methods: [POST]
                        before-filters: true
                        ip: 3/hour
                        account: 3/hour
                        account-from: form:username
                        count: failures
                        failure:
                          redirect: ["/login?error*"]
                      - name: basic-login
                        path: /api/private/**
                        before-filters: true
                        ip: 3/hour
                        account: 3/hour
                        account-from: basic-user
                        count: failures
                    """)
                .toString());
    client = new LoginClient(app.port());
  }

  @AfterAll
  void stop() throws Exception {
    app.close();
  }

  private static String form(String user, String password) {
    return "username=" + user + "&password=" + password;
  }

  @Test
  void wrongFormPasswordsAreLimited() throws Exception {
    for (int i = 0; i < 3; i++) {
      LoginClient.Answer wrong =
          client.form("/login", "203.0.113.21", form("mallory" + i, "guess"));
      assertThat(wrong.status()).isEqualTo(302);
      assertThat(wrong.location()).endsWith("/login?error");
    }
    assertThat(client.form("/login", "203.0.113.21", form("bob", "secret")).status())
        .isEqualTo(429);
  }

  @Test
  void formSuccessesNeverUseTheBucket() throws Exception {
    for (int i = 0; i < 6; i++) {
      LoginClient.Answer ok = client.form("/login", "203.0.113.22", form("bob", "secret"));
      assertThat(ok.status()).as("login %d", i + 1).isEqualTo(302);
      assertThat(ok.location()).doesNotContain("error");
    }
  }

  @Test
  void oneFormAccountAttackedFromManyAddressesIsLimited() throws Exception {
    int refused = 0;
    for (int i = 1; i <= 5; i++) {
      LoginClient.Answer answer =
          client.formUtf8("/login", "198.51.100." + (20 + i), form("victim", "guess" + i));
      refused += answer.status() == 429 ? 1 : 0;
    }
    assertThat(refused).isEqualTo(2);
  }

  @Test
  void wrongBasicPasswordsAreLimitedAndSuccessesAreFree() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(client.basic("/api/private/x", "203.0.113.23", "alice", "secret").status())
          .isEqualTo(200);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(client.basic("/api/private/x", "203.0.113.23", "alice", "guess").status())
          .isEqualTo(401);
    }
    assertThat(client.basic("/api/private/x", "203.0.113.23", "alice", "secret").status())
        .isEqualTo(429);
  }

  @Test
  void oneBasicAccountAttackedFromManyAddressesIsLimited() throws Exception {
    int refused = 0;
    for (int i = 1; i <= 5; i++) {
      int status =
          client.basic("/api/private/y", "198.51.100." + (40 + i), "bob", "g" + i).status();
      refused += status == 429 ? 1 : 0;
    }
    assertThat(refused).isEqualTo(2);
  }

  @Test
  void anOfficeBehindOneAddressIsNotBlocked() throws Exception {
    for (int i = 0; i < 20; i++) {
      String user = i % 2 == 0 ? "alice" : "bob";
      if (i % 10 == 0) {
        assertThat(client.form("/login", "192.0.2.60", form(user, "typo")).status()).isEqualTo(302);
      }
      LoginClient.Answer ok = client.form("/login", "192.0.2.60", form(user, "secret"));
      assertThat(ok.status()).as("colleague %d", i).isEqualTo(302);
      assertThat(ok.location()).doesNotContain("error");
    }
  }
}
