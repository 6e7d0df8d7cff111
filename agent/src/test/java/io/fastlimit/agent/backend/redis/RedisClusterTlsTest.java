package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster as managed services run it: TLS only (client certificates required, the cluster bus
 * on TLS too), a password for the default user and an ACL user for the agent. Three masters of the
 * test's own, certificates made with openssl. The agent is given one seed node: the others are
 * found from the topology, so TLS and the ACL user must carry over to nodes it was never told of.
 */
class RedisClusterTlsTest {

  private static final String ADMIN_PASSWORD = "admin-pw-0f3c";
  private static final String AGENT_PASSWORD = "limiter-pw-9a1e";

  private static String cli(TestCertificates certs, int port, String... command) throws Exception {
    List<String> line =
        new ArrayList<>(
            List.of(
                RedisServer.cli(),
                "--tls",
                "--cacert",
                certs.caCert().toString(),
                "--cert",
                certs.clientCert().toString(),
                "--key",
                certs.clientKey().toString(),
                "-a",
                ADMIN_PASSWORD,
                "--no-auth-warning",
                "-p",
                Integer.toString(port)));
    line.addAll(List.of(command));
    Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
    String reply = new String(run.getInputStream().readAllBytes()).trim();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return reply;
  }

  private static void await(String what, long seconds, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  @Test
  void limitsAreSharedOverTlsWithAnAclUserOnEveryNode() throws Exception {
    TestCertificates certs = TestCertificates.make();
    List<RedisServer> nodes = new ArrayList<>();
    try {
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      for (int i = 0; i < 3; i++) {
        RedisServer node =
            RedisServer.startTls(
                certs,
                true,
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                    // the bus port would be port + 10000, past 65535 for a high free port
                    "--cluster-port",
                    Integer.toString(RedisServer.freePort()),
                    "--tls-cluster",
                    "yes",
                    "--requirepass",
                    ADMIN_PASSWORD,
                    "--user",
                    "limiter",
                    "on",
                    ">" + AGENT_PASSWORD,
                    "~*",
                    "&*",
                    "+@all"));
        nodes.add(node);
        create.add("127.0.0.1:" + node.port());
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      int seed = nodes.get(0).port();
      String created = cli(certs, seed, create.toArray(new String[0]));
      assertThat(created).as(created).contains("[OK] All 16384 slots covered");
      await("cluster ok", 30, () -> cli(certs, seed, "CLUSTER", "INFO").contains("state:ok"));

      RedisConfig settings =
          new RedisConfig(
              List.of("rediss://limiter:" + AGENT_PASSWORD + "@127.0.0.1:" + seed),
              true,
              5_000,
              RedisConfig.OnError.DENY,
              new RedisConfig.Tls(
                  certs.caCert().toString(),
                  certs.clientCert().toString(),
                  certs.clientKey().toString(),
                  true));
      assertThat(settings.toString()).doesNotContain(AGENT_PASSWORD);
      try (RedisBackend first = RedisBackend.connect(settings);
          RedisBackend second = RedisBackend.connect(settings)) {
        RedisBackendTest.awaitConnected(first);
        RedisBackendTest.awaitConnected(second);
        String prefix = "cluster-tls:" + System.nanoTime() + ":";
        for (int client = 0; client < 30; client++) {
          Charge charge =
              Charges.charge(
                  prefix + "{client-" + client + "}",
                  3,
                  3_600_000,
                  1,
                  Algorithm.FIXED_WINDOW,
                  false);
          assertThat(first.acquire(charge).remaining()).isEqualTo(2);
          assertThat(second.acquire(charge).remaining()).isEqualTo(1);
          assertThat(first.acquire(charge).remaining()).isZero();
          assertThat(second.acquire(charge).allowed()).as("the shared limit of 3").isFalse();
        }
        // thirty clients' keys reached every node, not just the seed
        for (RedisServer node : nodes) {
          assertThat(Long.parseLong(cli(certs, node.port(), "DBSIZE")))
              .as("keys on node " + node.port())
              .isPositive();
        }
      }

      RedisConfig wrongPassword =
          new RedisConfig(
              List.of("rediss://limiter:not-the-password@127.0.0.1:" + seed),
              true,
              200,
              RedisConfig.OnError.DENY,
              settings.tls());
      try (RedisBackend refused = RedisBackend.connect(wrongPassword)) {
        Charge charge =
            Charges.charge(
                "cluster-tls:refused:{c}", 100, 60_000, 1, Algorithm.FIXED_WINDOW, false);
        for (int i = 0; i < 5; i++) {
          assertThat(refused.acquire(charge).allowed()).as("on-error deny").isFalse();
          RedisServer.sleep(100);
        }
      }
    } finally {
      for (RedisServer node : nodes) {
        node.close();
      }
    }
  }
}
