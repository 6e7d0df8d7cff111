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

  private static RedisBackend connect(RedisConfig.FixedWindow fixedWindow) {
    List<String> uris = new ArrayList<>();
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    RedisBackend backend =
        RedisBackend.connect(
            new RedisConfig(uris, true, 200, RedisConfig.OnError.DENY)
                .withFixedWindow(fixedWindow));
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
    assertThat(answersOnError(RedisConfig.FixedWindow.SCRIPT, 0))
        .as("the script's fixed window")
        .isTrue();
    assertThat(answersOnError(RedisConfig.FixedWindow.COMMANDS, 1)).as("window counters").isTrue();
  }

  /** Whether a request on a slot moved to the silent node is answered (on-error) within 20 s. */
  private static boolean answersOnError(RedisConfig.FixedWindow fixedWindow, int n)
      throws Exception {
    String key = "review2:{moved-" + n + "}";
    Charge charge = Charges.charge(key, 10, 3_600_000, 1, Algorithm.FIXED_WINDOW, false);
    RedisBackend backend = connect(fixedWindow);
    ExecutorService request = Executors.newSingleThreadExecutor(r -> daemon(r));
    try {
      assertThat(backend.acquire(charge).allowed()).as("before").isTrue();
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
