package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Cluster failover under traffic: three masters and one replica of the test's own; the master with
 * the replica is killed while requests for its slots flow, and the agent follows the promotion.
 */
class RedisClusterFailoverTest {

  private static final long TIMEOUT_MILLIS = 500;

  private static String cli(int port, String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(RedisServer.cli(), "-p", Integer.toString(port)));
    line.addAll(List.of(command));
    Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
    String reply = new String(run.getInputStream().readAllBytes()).trim();
    run.waitFor(60, TimeUnit.SECONDS);
    return reply;
  }

  private static void await(String what, long seconds, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /**
   * Milliseconds this JVM spent collecting garbage so far (its pauses stop every waiting thread).
   */
  private static long gcMillis() {
    long total = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  interface Check {
    boolean ok() throws Exception;
  }

  @Test
  void theAgentFollowsTheReplicaPromotedForAKilledMaster() throws Exception {
    List<String> nodeArgs = List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "1000");
    List<RedisServer> masters = new ArrayList<>();
    RedisServer replica = null;
    try {
      List<String> create = new ArrayList<>(List.of(RedisServer.cli(), "--cluster", "create"));
      List<String> uris = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RedisServer node = RedisServer.start(nodeArgs);
        masters.add(node);
        create.add("127.0.0.1:" + node.port());
        uris.add(node.uri());
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process created = new ProcessBuilder(create).redirectErrorStream(true).start();
      String output = new String(created.getInputStream().readAllBytes());
      assertThat(created.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(created.exitValue()).as(output).isZero();
      RedisServer seed = masters.get(0);
      await("cluster ok", 30, () -> cli(seed.port(), "CLUSTER", "INFO").contains("state:ok"));
      replica = RedisServer.start(nodeArgs);
      RedisServer newcomer = replica;
      String added =
          cli(
              seed.port(),
              "--cluster",
              "add-node",
              "127.0.0.1:" + replica.port(),
              "127.0.0.1:" + seed.port(),
              "--cluster-slave");
      assertThat(added).contains("[OK]");
      await(
          "the replica in sync",
          60,
          () -> cli(newcomer.port(), "INFO", "replication").contains("master_link_status:up"));
      String[] role = cli(replica.port(), "ROLE").split("\\R");
      int victimPort = Integer.parseInt(role[2].trim());
      RedisServer victim = null;
      for (RedisServer master : masters) {
        if (master.port() == victimPort) {
          victim = master;
        }
      }
      assertThat(victim).as("the replica's master: " + String.join(" ", role)).isNotNull();

      RedisConfig settings = new RedisConfig(uris, true, TIMEOUT_MILLIS, RedisConfig.OnError.DENY);
      try (RedisBackend first = RedisBackend.connect(settings);
          RedisBackend second = RedisBackend.connect(settings)) {
        RedisBackendTest.awaitConnected(first);
        RedisBackendTest.awaitConnected(second);
        // a client whose bucket lives on the master that will die
        Charge onVictim = null;
        for (int i = 0; onVictim == null; i++) {
          Charge candidate =
              Charges.charge(
                  "failover:" + System.nanoTime() + ":{client-" + i + "}",
                  1_000_000,
                  3_600_000,
                  1,
                  Algorithm.FIXED_WINDOW,
                  false);
          // a node's first script may miss the short timeout on a loaded machine: ask again
          await("a first answer", 30, () -> first.acquire(candidate).allowed());
          if (cli(victim.port(), "EXISTS", candidate.key()).equals("1")) {
            onVictim = candidate;
          }
        }
        Charge shared = onVictim;
        await(
            "the count on the replica",
            30,
            () ->
                cli(newcomer.port(), "READONLY").equals("OK")
                    && !cli(newcomer.port(), "-c", "EXISTS", shared.key()).isEmpty());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong();
        AtomicLong firstRefusalAt = new AtomicLong();
        AtomicLong answeredAgainAt = new AtomicLong();
        AtomicLong longestWaitNanos = new AtomicLong();
        Thread traffic =
            new Thread(
                () -> {
                  while (running.get()) {
                    long start = System.nanoTime();
                    boolean allowed = first.acquire(shared).allowed();
                    long now = System.nanoTime();
                    longestWaitNanos.accumulateAndGet(now - start, Math::max);
                    if (killedAt.get() != 0) {
                      if (!allowed) {
                        firstRefusalAt.compareAndSet(0, now);
                      } else if (firstRefusalAt.get() != 0) {
                        answeredAgainAt.compareAndSet(0, now);
                      }
                    }
                    RedisServer.sleep(10);
                  }
                });
        // the same timed wait with no Redis and no agent code in it, side by side: how late this
        // JVM's threads wake from a wait on this machine right now
        AtomicLong longestPlainWaitNanos = new AtomicLong();
        Thread control =
            new Thread(
                () -> {
                  while (running.get()) {
                    long start = System.nanoTime();
                    try {
                      new java.util.concurrent.CompletableFuture<Void>()
                          .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException expected) {
                      longestPlainWaitNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                    } catch (Exception e) {
                      return;
                    }
                  }
                });
        long gcMillisBefore = gcMillis();
        control.start();
        traffic.start();
        RedisServer.sleep(300);
        killedAt.set(System.nanoTime());
        victim.kill();
        await("the agent answered by the promoted replica", 120, () -> answeredAgainAt.get() != 0);
        running.set(false);
        traffic.join();
        control.join();
        long gcMillisMeanwhile = gcMillis() - gcMillisBefore;
        assertThat(firstRefusalAt.get())
            .as("on-error deny refused while the master was down")
            .isNotZero();

        assertThat(cli(replica.port(), "ROLE")).startsWith("master");
        // the other instance follows by itself too (on-error deny refuses until it has)
        await("the second instance answered again", 90, () -> second.acquire(shared).allowed());
        long before = second.acquire(shared).remaining();
        first.acquire(shared);
        assertThat(second.acquire(shared).remaining()).isEqualTo(before - 2);
        System.out.printf(
            "cluster failover: limits shared again %.1f s after the master was killed;"
                + " on-error answered meanwhile; longest request wait %d ms (redis.timeout %d"
                + " ms); longest plain %d ms timed wait in this JVM meanwhile %d ms; garbage"
                + " collection %d ms meanwhile%n",
            (answeredAgainAt.get() - killedAt.get()) / 1e9,
            TimeUnit.NANOSECONDS.toMillis(longestWaitNanos.get()),
            TIMEOUT_MILLIS,
            TIMEOUT_MILLIS,
            TimeUnit.NANOSECONDS.toMillis(longestPlainWaitNanos.get()),
            gcMillisMeanwhile);
      }
    } finally {
      for (RedisServer master : masters) {
        master.close();
      }
      if (replica != null) {
        replica.close();
      }
    }
  }
}
