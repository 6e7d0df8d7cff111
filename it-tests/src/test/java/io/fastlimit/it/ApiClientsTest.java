package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Issue 14 end to end on embedded Tomcat: API keys and verified JWTs as the client's identity. */
class ApiClientsTest {

  private static final String SECRET = "it-secret-0123456789-0123456789-0123456789";

  /** An HS256 token: made here for the test; the agent verifies with nimbus-jose-jwt. */
  private static String token(String secret, String subject, String plan) throws Exception {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    long exp = System.currentTimeMillis() / 1000 + 3600;
    String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes());
    String claims =
        "{\"sub\":\""
            + subject
            + "\",\"exp\":"
            + exp
            + (plan == null ? "" : ",\"plan\":\"" + plan + "\"")
            + "}";
    String payload = base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] signature = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return "Authorization: Bearer "
        + header
        + "."
        + payload
        + "."
        + base64.encodeToString(signature);
  }

  private static int admitted(ChildApp app, int max, String... headers) throws Exception {
    for (int i = 0; i < max; i++) {
      if (app.get("/api/a", headers).status() == 429) {
        return i;
      }
    }
    return max;
  }

  @Test
  void verifiedTokensCountPerSubjectAndPlanAndForgedOnesPerAddress() throws Exception {
    Path rules =
        Build.rulesFile(
            "jwt",
            """
            user-id:
              jwt:
                hmac-secret: ${JWT_SECRET}
            plan-from: claim:plan
            rules:
              - name: api
                path: /api/**
                ip: 2/hour
                user: 3/hour
                plans:
                  pro: 5/hour
            """);
    try (ChildApp app =
        ChildApp.sample(Build.jakartaSample(), rules.toString(), Map.of("JWT_SECRET", SECRET))) {
      assertThat(admitted(app, 10, token(SECRET, "alice", null))).isEqualTo(3);
      HttpResult pro = app.get("/api/a", token(SECRET, "bob", "pro"));
      assertThat(pro.header("X-RateLimit-Limit")).isEqualTo("5");
      assertThat(admitted(app, 10, token(SECRET, "bob", "pro"))).isEqualTo(4);
      // forged tokens, each naming someone else, share the address's bucket with anonymous ones
      String forger = "forged-forged-forged-forged-forged-forged";
      assertThat(app.get("/api/a", token(forger, "m1", "pro")).status()).isEqualTo(200);
      assertThat(app.get("/api/a", token(forger, "m2", "pro")).status()).isEqualTo(200);
      assertThat(app.get("/api/a", token(forger, "m3", "pro")).status()).isEqualTo(429);
      assertThat(app.get("/api/a").status()).isEqualTo(429);
      assertThat(app.output()).doesNotContain(SECRET);
    }
  }

  @Test
  void aRequestHoldsItsInFlightSlotOnlyUntilItEnds() throws Exception {
    Path rules =
        Build.rulesFile(
            "concurrent",
            """
            rules:
              - name: api
                path: /api/**
                concurrent: 1
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      // one at a time: each ends (and gives its slot back) before the next starts
      for (int i = 0; i < 5; i++) {
        assertThat(app.get("/api/a").status()).as("request %d", i).isEqualTo(200);
      }
    }
  }

  @Test
  void eachApiKeyHasItsOwnAllowanceAndIsNeverLogged() throws Exception {
    Path rules =
        Build.rulesFile(
            "api-key",
            """
            user-id:
              header: X-Api-Key
            rules:
              - name: api
                path: /api/**
                ip: 1/hour
                user: 2/hour
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(admitted(app, 10, "X-Api-Key: sk_live_first_key")).isEqualTo(2);
      assertThat(admitted(app, 10, "X-Api-Key: sk_live_second_key")).isEqualTo(2);
      assertThat(admitted(app, 10)).isEqualTo(1);
      assertThat(app.output()).doesNotContain("sk_live");
    }
  }
}
