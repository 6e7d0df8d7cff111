package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code redis.tls} and credentials from the environment, as the rules file writes them. */
class RedisTlsConfigTest {

  @TempDir Path dir;

  private static AgentConfig load(String yaml, java.util.function.Function<String, String> env)
      throws ConfigException {
    return ConfigLoader.parse(yaml, "rules.yaml", env);
  }

  private static List<ConfigProblem> problems(String yaml) {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.parse(yaml, "rules.yaml", name -> null));
    assertThat(failure).as("a problem is reported").isNotNull();
    return failure.problems();
  }

  @Test
  void tlsFilesAndPeerVerificationAreRead() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("client.pem"), "x");
    Path key = Files.writeString(dir.resolve("client.key"), "x");
    AgentConfig config =
        load(
            "redis-url: rediss://:${REDIS_PASSWORD}@redis.internal:6380\n"
                + "redis:\n"
                + "  tls:\n"
                + "    ca-file: "
                + ca
                + "\n    cert-file: "
                + cert
                + "\n    key-file: "
                + key
                + "\nrules: [{path: /a, limit: 1/s}]\n",
            Map.of("REDIS_PASSWORD", "from-env")::get);
    RedisConfig.Tls tls = config.redis().tls();
    assertThat(tls.caFile()).isEqualTo(ca.toString());
    assertThat(tls.certFile()).isEqualTo(cert.toString());
    assertThat(tls.keyFile()).isEqualTo(key.toString());
    assertThat(tls.verifyPeer()).isTrue();
    assertThat(config.redis().uris()).containsExactly("rediss://:from-env@redis.internal:6380");
    assertThat(config.redis().toString()).doesNotContain("from-env");
  }

  @Test
  void peerVerificationIsOnUnlessTurnedOff() throws Exception {
    String yaml = "redis-url: rediss://h:6380\nrules: [{path: /a, limit: 1/s}]\n";
    assertThat(load(yaml, name -> null).redis().tls().verifyPeer()).isTrue();
    AgentConfig off =
        load(
            "redis-url: rediss://h:6380\nredis: {tls: {verify-peer: false}}\n"
                + "rules: [{path: /a, limit: 1/s}]\n",
            name -> null);
    assertThat(off.redis().tls().verifyPeer()).isFalse();
    assertThat(off.redis()).isNotEqualTo(load(yaml, name -> null).redis());
  }

  @Test
  void aMissingFileAKeyWithoutCertificateAndTlsWithoutRedissAreProblems() {
    assertThat(
            problems(
                "redis-url: rediss://h:6380\nredis: {tls: {ca-file: /no/such/ca.pem}}\n"
                    + "rules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(
            p -> assertThat(p.message()).contains("redis.tls.ca-file").contains("/no/such"));
    assertThat(
            problems(
                "redis-url: rediss://h:6380\nredis: {tls: {key-file: "
                    + dir
                    + "}}\nrules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(p -> assertThat(p.message()).contains("both cert-file and key-file"));
    assertThat(
            problems(
                "redis-url: redis://h:6379\nredis: {tls: {verify-peer: true}}\n"
                    + "rules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(p -> assertThat(p.message()).contains("rediss://"));
    assertThat(
            problems(
                "redis-url: rediss://h:6380\nredis: {tls: {ca: x}}\n"
                    + "rules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(p -> assertThat(p.message()).contains("ca"));
  }
}
