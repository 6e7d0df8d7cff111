package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.observe.AgentLog;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Redis's clock as this instance estimates it, for the window counters ({@code redis.fixed-window:
 * commands}, {@code redis.sliding-window: commands}), which place their windows by the instance's
 * time and send no script to read Redis's: every instance that samples the same Redis puts a moment
 * in the same window, however far its own clock is off. A sample is Redis's {@code TIME} taken
 * between sending and answer, placed at the midpoint of the round trip (off by at most half of it,
 * and taken when that is {@link #MAX_ROUND_TRIP_MILLIS} or less, or no longer than the held
 * sample's, or when none is held, or when it is the first after a connect), then carried forward by
 * this JVM's monotonic clock, so a wall clock stepped here moves nothing. Until the first sample,
 * and for a backend made without a {@link Sampler} (tests that move their clocks by hand), this
 * instance's own clock.
 */
final class RedisTime {

  /** How often Redis's clock is sampled: this JVM's clock drifts some microseconds in between. */
  static final long SAMPLE_EVERY_MILLIS = 10_000;

  /** How long after a reconnect Redis's clock is sampled again: the connection's setup first. */
  static final long AFTER_RECONNECT_MILLIS = 100;

  /** How long a sample lasts before any answer replaces it, however slow. */
  static final long STALE_AFTER_MILLIS = 60_000;

  /** The longest round trip whose sample is taken: it places Redis's time within half of it. */
  static final long MAX_ROUND_TRIP_MILLIS = 20;

  /** Asks Redis for its time in epoch milliseconds. */
  interface Sampler {
    CompletionStage<Long> redisMillis(RedisClusterAsyncCommands<String, String> commands);

    /** {@code TIME} of the node it is given: Redis, or in a cluster the master of slot 0. */
    Sampler TIME =
        commands ->
            commands
                .time()
                .thenApply(
                    (List<String> time) ->
                        Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000);
  }

  /** Redis's time at {@link #nanos} by {@link RedisClock#nanos()}, within half its round trip. */
  private static final class Sample {
    final long redisMillis;
    final long nanos;
    final long roundTripNanos;

    Sample(long redisMillis, long nanos, long roundTripNanos) {
      this.redisMillis = redisMillis;
      this.nanos = nanos;
      this.roundTripNanos = roundTripNanos;
    }
  }

  private final RedisClock clock;
  private final Sampler sampler;
  private volatile Sample sample;

  /** {@code sampler} null: this instance's own clock always. */
  RedisTime(RedisClock clock, Sampler sampler) {
    this.clock = clock;
    this.sampler = sampler;
  }

  /** Epoch milliseconds by Redis's clock as estimated here, or this instance's before a sample. */
  long millis() {
    Sample last = sample;
    return last == null
        ? clock.millis()
        : last.redisMillis + Math.floorDiv(clock.nanos() - last.nanos, 1_000_000L);
  }

  /** Whether a sample of Redis's clock was taken. */
  boolean sampled() {
    return sample != null;
  }

  /**
   * Asks Redis for its time and takes the answer when the round trip was short; returns at once. A
   * failure keeps the last sample (or this instance's clock): the connection's own troubles are
   * told by the requests.
   */
  void sample(StatefulConnection<String, String> connection) {
    sample(connection, false);
  }

  /**
   * As {@link #sample(StatefulConnection)}, after a (re)connect: the answer is taken however slow
   * its round trip. The connection may reach another server (a restart, a failover) whose clock is
   * not the held sample's, and a first answer slowed by the connection's setup or a loaded machine
   * would otherwise leave the old server's clock in place until a fast one comes, 10 s or more.
   */
  void sampleAfterConnect(StatefulConnection<String, String> connection) {
    sample(connection, true);
  }

  private void sample(StatefulConnection<String, String> connection, boolean anyRoundTrip) {
    if (sampler == null || connection == null) {
      return;
    }
    try {
      reference(connection)
          .thenAccept(commands -> sample(commands, anyRoundTrip))
          .exceptionally(
              noNode -> null); // a node not reachable: told by the requests; the next sample
    } catch (RuntimeException notSent) {
      // the connection is closing or closed: the next sample, on the next connection
    }
  }

  /**
   * The commands of the node whose clock is sampled: Redis itself, or in a cluster the master of
   * slot 0, which every instance finds in the cluster's slot map (Lettuce's default connection,
   * where {@code TIME} would go, is chosen per instance). Looked up at each sample, so a failover
   * moves it along with the slot; its connection opened without waiting on this thread.
   */
  private static CompletionStage<RedisClusterAsyncCommands<String, String>> reference(
      StatefulConnection<String, String> connection) {
    if (connection instanceof StatefulRedisClusterConnection) {
      StatefulRedisClusterConnection<String, String> cluster =
          (StatefulRedisClusterConnection<String, String>) connection;
      RedisClusterNode node = cluster.getPartitions().getMasterBySlot(0);
      if (node != null && node.getNodeId() != null) {
        return cluster
            .getConnectionAsync(node.getNodeId())
            .thenApply(
                (StatefulRedisConnection<String, String> nodeConnection) -> nodeConnection.async());
      }
      return CompletableFuture.completedFuture(cluster.async());
    }
    return CompletableFuture.completedFuture(
        ((StatefulRedisConnection<String, String>) connection).async());
  }

  /** Asks these commands' server for its time; returns at once. */
  void sample(RedisClusterAsyncCommands<String, String> commands) {
    sample(commands, false);
  }

  /** The same; {@code anyRoundTrip}: the answer is taken however slow, as after a connect. */
  void sample(RedisClusterAsyncCommands<String, String> commands, boolean anyRoundTrip) {
    if (sampler == null || commands == null) {
      return;
    }
    final long sent = clock.nanos();
    try {
      sampler
          .redisMillis(commands)
          .whenComplete(
              (redisMillis, failure) -> {
                long answered = clock.nanos();
                if (failure != null) {
                  Throwable cause =
                      failure instanceof CompletionException && failure.getCause() != null
                          ? failure.getCause()
                          : failure;
                  // Redis refused TIME, or answered it oddly: a connection down or slow is told by
                  // the requests, and the last sample stays meanwhile
                  if (cause instanceof RedisCommandExecutionException
                      || !(cause instanceof RedisException)) {
                    AgentLog.once(
                        "redis backend: cannot read Redis's TIME; the window counters place"
                            + " windows by "
                            + (sampled() ? "the last sample of it" : "this instance's clock")
                            + " until it can",
                        cause);
                  }
                } else if (redisMillis != null && (anyRoundTrip || taken(answered - sent))) {
                  sample = new Sample(redisMillis, sent + (answered - sent) / 2, answered - sent);
                }
              });
    } catch (RuntimeException notSent) {
      // the connection is closing or closed: the next sample, on the next connection
    }
  }

  /**
   * Whether an answer after this round trip replaces the sample held: when the round trip was
   * short, or no longer than the held sample's; and always while none is held (the first answer of
   * a cold JVM, a Redis always further away): off by half its round trip, it is still far closer to
   * Redis's clock than this instance's, which may be seconds or hours off.
   */
  private boolean taken(long roundTripNanos) {
    Sample last = sample;
    return roundTripNanos <= MAX_ROUND_TRIP_MILLIS * 1_000_000L
        || last == null
        || roundTripNanos <= last.roundTripNanos
        // a fast sample from a server that has since moved further away (a failover to another
        // site) would otherwise stay for good
        || clock.nanos() - last.nanos > STALE_AFTER_MILLIS * 1_000_000L;
  }
}
