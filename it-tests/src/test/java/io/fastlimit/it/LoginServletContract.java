package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An application's own login servlet answering 401 ({@code POST /account/login} of the jakarta
 * samples), protected with an account bucket and count: failures, on each container: wrong
 * passwords are limited, successes never use the bucket, one account attacked from many addresses
 * is limited, an office behind one address is not, and the application still reads every field, in
 * the encoding it sets itself, after the agent read the account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LoginServletContract {

  static final String RULES =
      """
      trusted-proxies: 1
      rules:
        - name: own-login
          path: /account/login
          methods: [POST]
          ip: 3/hour
          account: 3/hour
          account-from: form:j_username
          count: failures
      """;

  private ChildApp app;
  private LoginClient client;

  abstract Path sample();

  @BeforeAll
  void start() throws Exception {
    app = ChildApp.sample(sample(), Build.rulesFile("login-servlet", RULES).toString());
    client = new LoginClient(app.port());
  }

  @AfterAll
  void stop() throws Exception {
    app.close();
  }

  private static String form(String user, String password) {
    return "j_username=" + user + "&j_password=" + password;
  }

  @Test
  void wrongPasswordsAreLimited() throws Exception {
    for (int i = 0; i < 3; i++) {
      LoginClient.Answer wrong =
          client.form("/account/login", "203.0.113.11", form("mallory" + i, "guess"));
      assertThat(wrong.status()).as("attempt %d", i + 1).isEqualTo(401);
    }
    LoginClient.Answer blocked =
        client.form("/account/login", "203.0.113.11", form("mallory9", "secret"));
    assertThat(blocked.status()).isEqualTo(429);
  }

  @Test
  void successesNeverUseTheBucket() throws Exception {
    for (int i = 0; i < 8; i++) {
      LoginClient.Answer ok =
          client.formUtf8("/account/login", "203.0.113.12", form("bob", "secret"));
      assertThat(ok.status()).as("login %d", i + 1).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("welcome bob");
    }
  }

  @Test
  void oneAccountAttackedFromManyAddressesIsLimited() throws Exception {
    int refused = 0;
    for (int i = 1; i <= 6; i++) {
      LoginClient.Answer answer =
          client.formUtf8("/account/login", "198.51.100." + i, form("alice", "guess" + i));
      if (answer.status() == 429) {
        refused++;
      } else {
        assertThat(answer.status()).isEqualTo(401);
      }
    }
    assertThat(refused).as("the 4th to 6th address").isEqualTo(3);
    LoginClient.Answer other =
        client.formUtf8("/account/login", "198.51.100.7", form("carol", "guess"));
    assertThat(other.status()).as("another account from a fresh address").isEqualTo(401);
  }

  @Test
  void anOfficeBehindOneAddressIsNotBlocked() throws Exception {
    for (int i = 0; i < 30; i++) {
      if (i % 15 == 0) {
        assertThat(
                client.formUtf8("/account/login", "192.0.2.50", form("user" + i, "typo")).status())
            .isEqualTo(401);
      }
      LoginClient.Answer ok =
          client.formUtf8("/account/login", "192.0.2.50", form("user" + i, "secret"));
      assertThat(ok.status()).as("colleague %d", i).isEqualTo(200);
    }
  }

  @Test
  void theAppReadsANonAsciiNameInTheEncodingItSetsAfterTheAgentRead() throws Exception {
    // "jürgen" as UTF-8 bytes: the app sets UTF-8 itself, before reading
    String jurgen = "j%C3%BCrgen";
    LoginClient.Answer declared =
        client.formUtf8("/account/login", "203.0.113.13", form(jurgen, "secret"));
    assertThat(declared.status()).isEqualTo(200);
    assertThat(declared.body()).isEqualTo("welcome jürgen");
    LoginClient.Answer undeclared =
        client.form("/account/login", "203.0.113.14", form(jurgen, "secret"));
    assertThat(undeclared.status()).isEqualTo(200);
    assertThat(undeclared.body()).isEqualTo("welcome jürgen");
  }
}
