package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Spring Security's form login on the Spring Boot sample (Tomcat), posted as browsers do, without a
 * charset, decided before the filters (so before Spring's CharacterEncodingFilter sets UTF-8): the
 * agent reads the account from the raw body, one account attacked from many addresses is limited by
 * its account bucket, and Spring Security still reads both fields and logs the user in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootFormWithoutCharsetTest {

  /** The sample's jar: Tomcat here, Jetty 12 and Undertow in the subclasses. */
  Path appJar() {
    return Build.springBootSample();
  }

  private ChildApp app;
  private LoginClient client;

  @BeforeAll
  void start() throws Exception {
    app =
        ChildApp.sample(
            appJar(),
            Build.rulesFile(
                    "boot-form-no-charset",
                    """
                    trusted-proxies: 1
                    rules:
                      - name: form-login
                        path: /login
                        methods: [POST]
                        stage: filters
                        ip: 100/hour
                        account: 3/hour
                        account-from: form:username
                        count: failures
                        failure:
                          redirect: ["/login?error*"]
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
  void oneAccountAttackedFromManyAddressesIsLimitedByItsAccount() throws Exception {
    int refused = 0;
    for (int i = 1; i <= 6; i++) {
      LoginClient.Answer answer =
          client.form("/login", "198.51.100." + (60 + i), form("alice", "guess" + i));
      if (answer.status() == 429) {
        refused++;
      } else {
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.location()).endsWith("/login?error");
      }
    }
    assertThat(refused).as("the 4th to 6th address").isEqualTo(3);
  }

  @Test
  void theLoginStillSucceedsAfterTheAgentReadTheAccount() throws Exception {
    for (int i = 0; i < 6; i++) {
      LoginClient.Answer ok = client.form("/login", "203.0.113.61", form("bob", "secret"));
      assertThat(ok.status()).as("login %d", i + 1).isEqualTo(302);
      assertThat(ok.location()).doesNotContain("error");
    }
  }
}
