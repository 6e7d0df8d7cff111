package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis backend on a three-node Redis Cluster of the test's own. */
class RedisClusterTest {

  private static final List<RedisServer> nodes = new ArrayList<>();
  private static RedisBackend backend;

  @BeforeAll
  static void startCluster() throws Exception {
    List<String> command = new ArrayList<>(List.of(RedisServer.cli(), "--cluster", "create"));
    List<String> uris = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RedisServer node =
          RedisServer.start(
              List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "2000"));
      nodes.add(node);
      command.add("127.0.0.1:" + node.port());
      uris.add(node.uri());
    }
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(create.getInputStream().readAllBytes());
    assertThat(create.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(create.exitValue()).as(output).isZero();
    awaitClusterOk(nodes.get(0));
    backend =
        RedisBackend.connect(
            new RedisSettings(uris, true, 2_000, RedisSettings.OnError.DENY));
    RedisBackendTest.awaitConnected(backend);
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

  private static void awaitClusterOk(RedisServer node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Process info =
          new ProcessBuilder(
                  RedisServer.cli(), "-p", Integer.toString(node.port()), "cluster", "info")
              .redirectErrorStream(true)
              .start();
      String text = new String(info.getInputStream().readAllBytes());
      info.waitFor();
      if (text.contains("cluster_state:ok")) {
        return;
      }
      assertThat(System.nanoTime()).as("cluster ok: " + text).isLessThan(deadline);
      RedisServer.sleep(100);
    }
  }

  @Test
  void chargesOfOneClientShareASlotAndStayAtomic() {
    String wide = "cluster:wide:ip:{203.0.113.7}";
    String narrow = "cluster:narrow:ip:{203.0.113.7}";
    assertThat(SlotHash.getSlot(wide)).isEqualTo(SlotHash.getSlot(narrow));
    Charge[] both = {
      new Charge(wide, 10, 3_600_000, 1, Algorithm.SLIDING_WINDOW, false),
      new Charge(narrow, 1, 3_600_000, 1, Algorithm.FIXED_WINDOW, false)
    };
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, true);
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, false);
    assertThat(backend.acquire(new Charge[] {both[0]})[0].remaining())
        .as("the blocked request took nothing")
        .isEqualTo(8);
  }

  @Test
  void chargesInDifferentSlotsAreEachAnswered() {
    // a user bucket and an IP bucket: two hash tags, most likely on two nodes
    Charge[] mixed = new Charge[6];
    for (int i = 0; i < mixed.length; i++) {
      mixed[i] =
          new Charge(
              "cluster:rule" + i + ":user:{user-" + i + "}",
              i + 1,
              3_600_000,
              1,
              Algorithm.values()[i % 3],
              false);
    }
    assertThat(SlotHash.getSlot(mixed[0].key())).isNotEqualTo(SlotHash.getSlot(mixed[1].key()));
    Outcome[] outcomes = backend.acquire(mixed);
    for (int i = 0; i < mixed.length; i++) {
      assertThat(outcomes[i].allowed()).isTrue();
      assertThat(outcomes[i].remaining()).as("bucket %d", i).isEqualTo(i);
    }
    // the limit-1 bucket now blocks; its group is atomic, the other groups are not
    Outcome[] again = backend.acquire(mixed);
    assertThat(again[0].allowed()).isFalse();
    assertThat(again[0].retryAfterMillis()).isPositive();
  }
}
