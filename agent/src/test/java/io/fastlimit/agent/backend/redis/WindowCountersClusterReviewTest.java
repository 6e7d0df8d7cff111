package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.fixed-window: commands} on a cluster, second review: the counters are sent by {@code
 * StatefulConnection.dispatch(List)}, which on a cluster connection routes each command through
 * Lettuce's {@code ClusterDistributionChannelWriter.write(Collection)}. That gets each slot's node
 * connection by {@code ClusterConnectionProvider.getConnection}, a {@code CompletableFuture.get()}
 * with no timeout, on the request's thread: where a single command (the script's EVALSHA) waits for
 * a node's connection asynchronously, bounded by the request's timeout, the counters wait for it to
 * open, however long that takes.
 */
class WindowCountersClusterReviewTest {

  private static final List<RedisServer> nodes = new ArrayList<>();

  /** A node that accepts connections and never answers (a frozen or overloaded new primary). */
  private static ServerSocket silent;

  private static final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    nodes.addAll(RedisServer.startCluster(List.of("--cluster-node-timeout", "60000")));
    silent = new ServerSocket(0);
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(silent.accept());
                }
              } catch (java.io.IOException closed) {
                // the test is over
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    silent.close();
    for (Socket socket : accepted) {
      socket.close();
    }
    for (RedisServer node : nodes) {
      node.close();
    }
  }

  private static RedisBackend connect(RedisConfig.Counting fixedWindow, long timeoutMillis) {
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    RedisBackend backend =
        RedisBackend.connect(
            new RedisConfig(uris, true, timeoutMillis, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.FIXED_WINDOW, fixedWindow));
    RedisBackendTest.awaitConnected(backend);
    return backend;
  }

  /**
   * The client's topology moves one slot to a primary it has no connection to yet (as after a
   * failover promoted a replica), and that node does not answer. A request on that slot gets the
   * on-error answer after the 200 ms timeout with the script; with the counters its thread waits
   * for the node's connection: the agent holds the application's request thread past its timeout.
   */
  @Test
  void aSlotsNodeThatDoesNotAnswerHoldsARequestNoLongerThanTheTimeout() throws Exception {
    assertThat(answersOnError(RedisConfig.Counting.SCRIPT, 0))
        .as("the script's fixed window")
        .isTrue();
    assertThat(answersOnError(RedisConfig.Counting.COMMANDS, 1)).as("window counters").isTrue();
  }

  /** Whether a request on a slot moved to the silent node is answered (on-error) within 20 s. */
  private static boolean answersOnError(RedisConfig.Counting fixedWindow, int n) throws Exception {
    String key = "review2:{moved-" + n + "}";
    Charge charge = Charges.charge(key, 1_000_000, 3_600_000, 1, Algorithm.FIXED_WINDOW, false);
    RedisBackend backend = connect(fixedWindow, 200);
    ExecutorService request = Executors.newSingleThreadExecutor(r -> daemon(r));
    try {
      // the slot's node answers before the move: its first script (loaded there first) may take
      // longer than the 200 ms timeout on a loaded machine, so asked until it answers
      long before = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!backend.acquire(charge).allowed()) {
        assertThat(System.nanoTime())
            .as("answered before the move, within 15 s")
            .isLessThan(before);
        RedisServer.sleep(10);
      }
      moveToSilentNode(backend, SlotHash.getSlot(key), n);
      Future<Outcome> answer = request.submit(() -> backend.acquire(charge));
      try {
        return !answer.get(20, TimeUnit.SECONDS).allowed(); // on-error: deny
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      }
    } finally {
      request.shutdownNow();
      backend.close();
    }
  }

  /**
   * MOVED: a slot moved to another node while the client's topology still names the old one. The
   * counters' INCRBY and PEXPIRE, dispatched together, are each redirected to the new node, where
   * the count goes on from the migrated key's, keeps an expiry, and a blocked request's take-back
   * follows it there.
   */
  @Test
  void windowCountersFollowASlotMovedToAnotherNode() throws Exception {
    String key = "review2:{moving}";
    int slot = SlotHash.getSlot(key);
    Charge charge = Charges.charge(key, 3, 3_600_000, 1, Algorithm.FIXED_WINDOW, false);
    RedisServer from = null;
    RedisServer to = null;
    for (RedisServer node : nodes) {
      if (owns(node, slot)) {
        from = node;
      } else if (to == null) {
        to = node;
      }
    }
    assertThat(from).isNotNull();
    assertThat(to).isNotNull();
    // a timeout no answer outlasts, however loaded the machine: the test is about MOVED
    RedisBackend backend = connect(RedisConfig.Counting.COMMANDS, 5_000);
    try {
      for (RedisServer node : nodes) {
        cli(node, "script", "load", GiveBackScript.TEXT);
      }
      assertThat(backend.acquire(charge).allowed()).as("1 of 3, on the first node").isTrue();
      String fromId = cli(from, "cluster", "myid").trim();
      String toId = cli(to, "cluster", "myid").trim();
      String s = Integer.toString(slot);
      cli(to, "cluster", "setslot", s, "importing", fromId);
      cli(from, "cluster", "setslot", s, "migrating", toId);
      for (String counter : cli(from, "cluster", "getkeysinslot", s, "100").trim().split("\\s+")) {
        if (!counter.isEmpty()) {
          cli(from, "migrate", "127.0.0.1", Integer.toString(to.port()), counter, "0", "5000");
        }
      }
      for (RedisServer node : nodes) {
        cli(node, "cluster", "setslot", s, "node", toId);
      }
      assertThat(backend.acquire(charge).allowed()).as("2 of 3, after the move").isTrue();
      assertThat(backend.acquire(charge).allowed()).as("3 of 3").isTrue();
      assertThat(backend.acquire(charge).allowed()).as("4 of 3").isFalse();
      String counter = cli(to, "cluster", "getkeysinslot", s, "100").trim().split("\\s+")[0];
      assertThat(counter).startsWith(key + ':');
      // the blocked request's take-back is sent without waiting (and redirected): awaited
      long settled = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!cli(to, "get", counter).trim().equals("3") && System.nanoTime() < settled) {
        RedisServer.sleep(20);
      }
      assertThat(cli(to, "get", counter).trim()).as("the count on the new node").isEqualTo("3");
      assertThat(Long.parseLong(cli(to, "pttl", counter).trim())).as("its expiry").isPositive();
    } finally {
      backend.close();
    }
  }

  private static boolean owns(RedisServer node, int slot) throws Exception {
    String text = cli(node, "cluster", "nodes");
    for (String line : text.split("\n")) {
      if (!line.contains("myself")) {
        continue;
      }
      String[] fields = line.trim().split(" ");
      for (int i = 8; i < fields.length; i++) {
        String[] range = fields[i].split("-");
        if (range[0].startsWith("[")) {
          continue;
        }
        int low = Integer.parseInt(range[0]);
        int high = range.length > 1 ? Integer.parseInt(range[1]) : low;
        if (slot >= low && slot <= high) {
          return true;
        }
      }
    }
    return false;
  }

  private static String cli(RedisServer node, String... args) throws Exception {
    List<String> line =
        new ArrayList<>(List.of(RedisServer.cli(), "-p", Integer.toString(node.port())));
    line.addAll(List.of(args));
    Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
    String out =
        new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static Thread daemon(Runnable r) {
    Thread thread = new Thread(r);
    thread.setDaemon(true);
    return thread;
  }

  @SuppressWarnings("unchecked")
  private static void moveToSilentNode(RedisBackend backend, int slot, int n) throws Exception {
    Field field = RedisBackend.class.getDeclaredField("link");
    field.setAccessible(true);
    RedisLink link = (RedisLink) field.get(backend);
    StatefulRedisClusterConnection<String, String> connection =
        (StatefulRedisClusterConnection<String, String>) link.connection();
    Partitions partitions = connection.getPartitions();
    RedisClusterNode owner = partitions.getPartitionBySlot(slot);
    List<Integer> kept = new ArrayList<>(owner.getSlots());
    kept.remove(Integer.valueOf(slot));
    owner.setSlots(kept);
    String id = String.format("%040d", 1 + n);
    partitions.addPartition(
        new RedisClusterNode(
            RedisURI.create("127.0.0.1", silent.getLocalPort()),
            id,
            true,
            null,
            0,
            0,
            0,
            List.of(slot),
            EnumSet.of(RedisClusterNode.NodeFlag.UPSTREAM)));
    partitions.updateCache();
    // as a topology refresh hands the new topology to the connection (and drops its slot cache)
    connection
        .getClass()
        .getMethod("setPartitions", Partitions.class)
        .invoke(connection, partitions);
  }
}
