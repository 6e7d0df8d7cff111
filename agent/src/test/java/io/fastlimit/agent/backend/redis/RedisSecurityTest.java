package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Managed Redis: passwords, ACL users and TLS, each against a real redis-server of the test's. */
class RedisSecurityTest {

  private static final long TIMEOUT_MILLIS = 5_000;
  private static final AtomicInteger unique = new AtomicInteger();

  private final CapturedLog log = new CapturedLog();

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  private String log() {
    return log.text();
  }

  private static RedisBackend connect(String uri, RedisConfig.Tls tls) {
    return RedisBackend.connect(
        new RedisConfig(List.of(uri), false, TIMEOUT_MILLIS, RedisConfig.OnError.DENY, tls));
  }

  private static Charge fresh() {
    return Charges.charge(
        "security:" + unique.incrementAndGet() + ":{client}",
        100,
        60_000,
        1,
        Algorithm.FIXED_WINDOW,
        false);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
      RedisServer.sleep(20);
    }
  }

  private static String withPort(String uri, RedisServer server, String credentials) {
    return uri.replace("://", "://" + credentials + "@");
  }

  @Test
  void passwordInTheUrlAuthenticates() throws Exception {
    try (RedisServer server = RedisServer.start(List.of("--requirepass", "s3cret"));
        RedisBackend backend =
            connect(withPort(server.uri(), server, ":s3cret"), RedisConfig.Tls.DEFAULT)) {
      RedisBackendTest.awaitConnected(backend);
      Charge charge = fresh();
      assertThat(backend.acquire(charge).remaining()).isEqualTo(99);
      assertThat(server.cli("-a", "s3cret", "--no-auth-warning", "EXISTS", charge.key()))
          .isEqualTo("1");
    }
  }

  @Test
  void aclUserAuthenticates() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      assertThat(server.cli("ACL", "SETUSER", "limiter", "on", ">pw-of-limiter", "~*", "+@all"))
          .isEqualTo("OK");
      assertThat(server.cli("ACL", "SETUSER", "default", "off")).isEqualTo("OK");
      try (RedisBackend backend =
          connect(
              withPort(server.uri(), server, "limiter:pw-of-limiter"), RedisConfig.Tls.DEFAULT)) {
        RedisBackendTest.awaitConnected(backend);
        Charge charge = fresh();
        assertThat(backend.acquire(charge).allowed()).isTrue();
        // Redis 7 gives new ACL users no pub/sub channels: resets work, and the log says what
        // to grant for them to reach other instances at once
        assertThat(backend.reset("security:", "nobody")).isFalse();
        await("the channel warning", () -> log().contains("&fastlimit:reset"));
        assertThat(log()).contains("WARN").doesNotContain("pw-of-limiter");
      }
    }
  }

  @Test
  void wrongPasswordIsOneClearErrorWithoutThePasswordAndOnErrorMeanwhile() throws Exception {
    try (RedisServer server = RedisServer.start(List.of("--requirepass", "right-one"))) {
      String uri = withPort(server.uri(), server, ":wrong-one");
      try (RedisBackend backend = connect(uri, RedisConfig.Tls.DEFAULT)) {
        await("the refusal logged", () -> log().contains("ERROR"));
        // several attempts later, still one error
        await(
            "three connection attempts",
            () -> {
              try {
                String info = server.cli("-a", "right-one", "--no-auth-warning", "INFO", "stats");
                for (String line : info.split("\\R")) {
                  if (line.startsWith("total_connections_received:")) {
                    // the test's own redis-cli calls count too
                    return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()) >= 8;
                  }
                }
                return false;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
        assertThat(backend.acquire(fresh()).allowed()).as("on-error deny meanwhile").isFalse();
        String text = log();
        // one line saying what to fix, however many attempts were refused (after, at most, one
        // for a first attempt that failed otherwise: a connection closed early on a busy machine)
        assertThat(text.split("Redis refused the user or password", -1)).hasSize(2);
        assertThat(text.split("ERROR", -1).length).isBetween(2, 3);
        assertThat(text)
            .doesNotContain("wrong-one")
            .contains("redis://***@127.0.0.1:" + server.port())
            .contains("password")
            .contains("restart");

        // the password fixed on Redis's side: the agent, retrying, gets in
        assertThat(
                server.cli(
                    "-a",
                    "right-one",
                    "--no-auth-warning",
                    "CONFIG",
                    "SET",
                    "requirepass",
                    "wrong-one"))
            .isEqualTo("OK");
        RedisBackendTest.awaitConnected(backend);
        assertThat(log()).contains("Redis answers again");
      }
    }
  }

  @Test
  void tlsWithAPrivateCaVerifiesTheServer() throws Exception {
    TestCertificates certs = TestCertificates.make();
    try (RedisServer server = RedisServer.startTls(certs, false);
        RedisBackend backend =
            connect(
                server.uri(), new RedisConfig.Tls(certs.caCert().toString(), null, null, true))) {
      assertThat(server.uri()).startsWith("rediss://");
      RedisBackendTest.awaitConnected(backend);
      assertThat(backend.acquire(fresh()).remaining()).isEqualTo(99);
      assertThat(log()).doesNotContain("verify-peer");
    }
  }

  @Test
  void tlsWithAClientCertificate() throws Exception {
    TestCertificates certs = TestCertificates.make();
    try (RedisServer server = RedisServer.startTls(certs, true);
        RedisBackend backend =
            connect(
                server.uri(),
                new RedisConfig.Tls(
                    certs.caCert().toString(),
                    certs.clientCert().toString(),
                    certs.clientKey().toString(),
                    true))) {
      RedisBackendTest.awaitConnected(backend);
      assertThat(backend.acquire(fresh()).allowed()).isTrue();
    }
  }

  @Test
  void aServerOfAnotherCaIsRefused() throws Exception {
    TestCertificates certs = TestCertificates.make();
    TestCertificates other = TestCertificates.otherCa();
    try (RedisServer server = RedisServer.startTls(certs, false);
        RedisBackend backend =
            connect(
                server.uri(), new RedisConfig.Tls(other.caCert().toString(), null, null, true))) {
      await("the refusal logged", () -> log().contains("ERROR"));
      assertThat(log()).contains("TLS handshake failed").contains("redis.tls.ca-file");
      assertThat(backend.acquire(fresh()).allowed()).as("on-error deny").isFalse();
    }
  }

  @Test
  void verifyPeerOffConnectsToAnyServerWithAWarning() throws Exception {
    TestCertificates certs = TestCertificates.make();
    TestCertificates other = TestCertificates.otherCa();
    try (RedisServer server = RedisServer.startTls(certs, false);
        RedisBackend backend =
            connect(
                server.uri(), new RedisConfig.Tls(other.caCert().toString(), null, null, false))) {
      RedisBackendTest.awaitConnected(backend);
      assertThat(log()).contains("WARN").contains("verify-peer is false");
    }
  }
}
