package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.limit.LoginRequests;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scripts per request on a three-master Redis Cluster, through the limiter, counted by the masters'
 * INFO commandstats: a request whose buckets are all one client's (anonymous on IP rules, signed in
 * on user rules, however many rules) is one script on one master; a request that mixes an IP bucket
 * with a user or an account bucket is one script per hash tag.
 */
class RedisClusterScriptsPerRequestTest {

  private static final String IP = "203.0.113.9";
  private static final String USER = "alice";
  private static final String ACCOUNT = "bob";
  private static final List<RedisServer> nodes = new ArrayList<>();
  private static RedisBackend backend;
  private static LimiterBridge bridge;

  @BeforeAll
  static void startCluster() throws Exception {
    nodes.addAll(RedisServer.startCluster(List.of()));
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
      // loaded beforehand, so that no first call is an EVALSHA refused then an EVAL
      try (RedisClient client = RedisServer.client(node.uri());
          StatefulRedisConnection<String, String> connection = client.connect()) {
        connection.sync().scriptLoad(BucketScript.ONE_TEXT);
        connection.sync().scriptLoad(BucketScript.TEXT);
      }
    }
    backend = RedisBackend.connect(new RedisConfig(uris, true, 5_000, RedisConfig.OnError.DENY));
    RedisBackendTest.awaitConnected(backend);
    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(
                    "key-prefix: per-request\n"
                        + "rules:\n"
                        + "  - path: /anonymous\n    ip: 1000/min\n"
                        + "  - path: /account\n    user: 1000/min\n"
                        + "  - path: /api/**\n    ip: 1000/min\n    user: 1000/min\n"
                        + "  - path: /api/items\n    ip: 500/min\n    user: 500/min\n"
                        + "    algorithm: token-bucket\n"
                        + "  - path: /mixed/**\n    user: 1000/min\n"
                        + "  - path: /mixed/ip\n    ip: 1000/min\n"
                        + "  - path: /login\n    ip: 1000/min\n    account: 100/15min\n"
                        + "    account-from: header:X-Account\n",
                    "rules.yaml",
                    name -> null),
                backend,
                new Stats()));
  }

  @AfterAll
  static void stopCluster() {
    if (backend != null) {
      backend.close();
    }
    for (RedisServer node : nodes) {
      node.close();
    }
  }

  @Test
  void theClientsTagsFallInDifferentSlots() {
    assertThat(SlotHash.getSlot(IP)).isNotEqualTo(SlotHash.getSlot(USER));
    assertThat(SlotHash.getSlot(IP)).isNotEqualTo(SlotHash.getSlot(ACCOUNT));
  }

  @Test
  void anAnonymousRequestOnAnIpRuleIsOneScript() {
    assertThat(scripts("/anonymous", null, null)).isEqualTo(1);
  }

  @Test
  void aSignedInRequestOnAUserRuleIsOneScript() {
    assertThat(scripts("/account", USER, null)).isEqualTo(1);
  }

  @Test
  void severalRulesForOneClientAreOneScript() {
    assertThat(scripts("/api/items", null, null)).as("anonymous").isEqualTo(1);
    assertThat(scripts("/api/items", USER, null)).as("signed in").isEqualTo(1);
  }

  @Test
  void aUserBucketWithAnIpBucketIsOneScriptPerSlot() {
    assertThat(scripts("/mixed/ip", USER, null)).isEqualTo(2);
  }

  @Test
  void aLoginWithAnAccountIsOneScriptPerSlot() {
    assertThat(scripts("/login", null, ACCOUNT)).isEqualTo(2);
  }

  /** Decides one admitted request; returns the scripts the masters ran for it, all together. */
  private static long scripts(String path, String user, String account) {
    long[] before = new long[nodes.size()];
    for (int i = 0; i < before.length; i++) {
      before[i] = RedisBackendTest.scriptCalls(nodes.get(i));
    }
    Verdict verdict =
        bridge
            .rules()
            .decide(
                Stage.SERVLET_ALONE,
                "POST",
                "",
                path,
                null,
                IP,
                null,
                user,
                account == null ? null : LoginRequests.withHeader("X-Account", account));
    assertThat(verdict).as("a rule applies").isNotNull();
    assertThat(verdict.isBlocked()).isFalse();
    long ran = 0;
    for (int i = 0; i < before.length; i++) {
      ran += RedisBackendTest.scriptCalls(nodes.get(i)) - before[i];
    }
    return ran;
  }
}
