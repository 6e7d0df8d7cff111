package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code account-from: form:NAME} with forms as browsers send them, without a charset in the
 * Content-Type, on the application's own login servlet ({@code POST /account/login}, which sets
 * UTF-8 itself before reading): the agent reads the account from the raw body and the container
 * replays the body to the application, so one account attacked from many addresses is limited by
 * its account bucket, and the application still reads every field, a non-ASCII name included, in
 * the encoding it sets itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FormWithoutCharsetContract {

  static final String RULES =
      """
      trusted-proxies: 1
      rules:
        - path: /account/login
          methods: [POST]
          ip: 100/hour
          account: 3/hour
          account-from: form:j_username
          count: failures
      """;

  private ChildApp app;
  private LoginClient client;

  /** The sample application's jar; only asked by the default {@link #start(String)}. */
  Path sample() {
    throw new UnsupportedOperationException("no sample: override start(String)");
  }

  /** Starts the application with the agent and these rules: the sample's jar by default. */
  ChildApp start(String rulesYaml) throws Exception {
    return ChildApp.sample(
        sample(),
        Build.rulesFile("form-no-charset-" + getClass().getSimpleName(), rulesYaml).toString());
  }

  /** The rules file: {@link #RULES} as written, or decided at another stage. */
  abstract String rules();

  @BeforeAll
  void start() throws Exception {
    app = start(rules());
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
  void oneAccountAttackedFromManyAddressesIsLimitedByItsAccount() throws Exception {
    int refused = 0;
    for (int i = 1; i <= 6; i++) {
      // spelled differently each time: the same account once trimmed and case folded
      String alice = i % 2 == 0 ? "Alice" : "alice+";
      LoginClient.Answer answer =
          client.form("/account/login", "198.51.100." + i, form(alice, "guess" + i));
      if (answer.status() == 429) {
        refused++;
      } else {
        assertThat(answer.status()).as("attempt %d", i).isEqualTo(401);
        assertThat(answer.body()).startsWith("wrong password for ");
      }
    }
    assertThat(refused).as("the 4th to 6th address").isEqualTo(3);
    LoginClient.Answer other =
        client.form("/account/login", "198.51.100.7", form("carol", "guess"));
    assertThat(other.status()).as("another account from a fresh address").isEqualTo(401);
    assertThat(other.body()).isEqualTo("wrong password for carol");
  }

  @Test
  void theAppReadsEveryFieldInItsOwnEncodingAndTheLoginSucceeds() throws Exception {
    String jurgen = "j%C3%BCrgen"; // "jürgen" in UTF-8, which the app sets before reading
    for (int i = 0; i < 5; i++) {
      LoginClient.Answer ok = client.form("/account/login", "203.0.113.21", form(jurgen, "secret"));
      assertThat(ok.status()).as("login %d", i + 1).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("welcome jürgen");
    }
    for (int i = 0; i < 3; i++) {
      LoginClient.Answer wrong =
          client.form("/account/login", "203.0.113." + (30 + i), form(jurgen, "typo"));
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.body()).isEqualTo("wrong password for jürgen");
    }
    LoginClient.Answer limited =
        client.form("/account/login", "203.0.113.40", form(jurgen, "secret"));
    assertThat(limited.status()).as("the account's bucket is spent").isEqualTo(429);
  }
}
