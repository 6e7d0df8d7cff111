package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Lettuce client and its one connection, opened in the background: the agent starts at once
 * whether or not Redis is up, first connections are retried until one succeeds, and after that
 * Lettuce reconnects by itself. While there is no connection, or while it is down, commands fail at
 * once rather than queue, so the caller's failure policy applies without waiting.
 */
final class RedisLink {

  /** Told when a connection attempt fails or succeeds; called on a Lettuce thread. */
  interface Listener {
    void connectFailed(Throwable failure);

    void connected();
  }

  private static final long FIRST_RETRY_MILLIS = 100;
  private static final long MAX_RETRY_MILLIS = 5_000;

  private final boolean cluster;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisClusterClient clusterClient;
  private final RedisURI uri;
  private final Listener listener;
  private volatile StatefulConnection<String, String> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile boolean closed;
  private volatile String channel;
  private volatile Consumer<String> onMessage;
  private volatile StatefulConnection<String, String> subscription;
  private long retryMillis = FIRST_RETRY_MILLIS;

  RedisLink(RedisConfig settings, Listener listener) {
    QuietLogs.install();
    this.listener = listener;
    this.cluster = settings.cluster();
    this.resources =
        ClientResources.builder()
            // daemon threads: the application can still exit while the agent is connected
            .threadFactoryProvider(name -> new DefaultThreadFactory("fastlimit-" + name, true))
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(FIRST_RETRY_MILLIS),
                    Duration.ofMillis(MAX_RETRY_MILLIS),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    Duration timeout = Duration.ofMillis(Math.max(1, settings.timeoutMillis()));
    SocketOptions socket =
        SocketOptions.builder()
            .connectTimeout(Duration.ofMillis(Math.max(1_000, settings.timeoutMillis())))
            .keepAlive(true)
            .build();
    // commands Redis never answers are dropped after the request stopped waiting for them
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    List<RedisURI> uris = RedisAddresses.uris(settings);
    SslOptions ssl = RedisAddresses.sslOptions(settings.tls());
    if (cluster) {
      this.client = null;
      this.uri = null;
      this.clusterClient = RedisClusterClient.create(resources, uris);
      ClusterClientOptions.Builder options =
          ClusterClientOptions.builder()
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      // MOVED and ASK redirects are followed meanwhile
                      .enablePeriodicRefresh(Duration.ofSeconds(10))
                      // and (Lettuce's adaptive triggers, on by default) a redirect, a slot
                      // without a node, or a node that failed to reconnect twice (a master that
                      // died) asks for the topology at once: a promoted replica is found without
                      // waiting for the next period
                      .refreshTriggersReconnectAttempts(2)
                      .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                      .build());
      options
          .autoReconnect(true)
          // node connections open lazily and per node: a command waits for its node's
          // connection (never past the request's timeout) instead of being rejected
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
          .requestQueueSize(10_000)
          .maintNotificationsConfig(MaintNotificationsConfig.disabled())
          .socketOptions(socket)
          .sslOptions(ssl)
          .timeoutOptions(timeouts);
      clusterClient.setOptions(options.build());
    } else {
      this.clusterClient = null;
      this.uri = uris.get(0);
      this.client = RedisClient.create(resources);
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .maintNotificationsConfig(MaintNotificationsConfig.disabled())
              .socketOptions(socket)
              .sslOptions(ssl)
              .timeoutOptions(timeouts)
              .build());
    }
  }

  boolean cluster() {
    return cluster;
  }

  /**
   * The cluster node that serves a hash slot, as the client's topology knows it: its node id, or
   * the slot itself while the topology does not name a node for it.
   */
  String nodeOf(int slot) {
    StatefulConnection<String, String> open = connection;
    if (open instanceof StatefulRedisClusterConnection) {
      RedisClusterNode node =
          ((StatefulRedisClusterConnection<String, String>) open)
              .getPartitions()
              .getPartitionBySlot(slot);
      if (node != null && node.getNodeId() != null) {
        return node.getNodeId();
      }
    }
    return "slot " + slot;
  }

  /**
   * The open connection, or null before the first connection succeeded: for commands dispatched
   * together, in one write.
   */
  StatefulConnection<String, String> connection() {
    return connection;
  }

  /** The commands of the open connection, or null before the first connection succeeded. */
  RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  /**
   * Listens to {@code channel} once connected: each message goes to {@code messages}, on a Lettuce
   * thread. Call before {@link #start()}. Best effort: a subscription that cannot be opened is
   * logged once and the agent works on without it.
   */
  void subscribe(String channel, Consumer<String> messages) {
    this.channel = channel;
    this.onMessage = messages;
  }

  /** Starts connecting in the background; returns at once. */
  void start() {
    connect();
  }

  private void connect() {
    if (closed) {
      return;
    }
    CompletableFuture<? extends StatefulConnection<String, String>> attempt;
    try {
      attempt =
          cluster
              // the topology first: the cluster client routes by it from the first command
              ? clusterClient
                  .refreshPartitionsAsync()
                  .toCompletableFuture()
                  .thenCompose(loaded -> clusterClient.connectAsync(StringCodec.UTF8))
                  .thenCompose(this::openEveryPrimary)
              : client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    } catch (RuntimeException failure) {
      attempt = new CompletableFuture<>();
      attempt.completeExceptionally(failure);
    }
    attempt.whenComplete(
        (opened, failure) -> {
          if (failure != null) {
            if (closed) {
              return; // closed while connecting: the client's threads refused the attempt
            }
            listener.connectFailed(failure);
            retryLater();
          } else {
            opened(opened);
          }
        });
  }

  /**
   * Opens the connection to every primary before the backend counts as connected: the cluster
   * client opens them lazily, so the first requests would otherwise wait for them.
   */
  private CompletableFuture<StatefulRedisClusterConnection<String, String>> openEveryPrimary(
      StatefulRedisClusterConnection<String, String> opened) {
    List<CompletableFuture<?>> nodes = new ArrayList<>();
    for (RedisClusterNode node : opened.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        nodes.add(opened.getConnectionAsync(node.getNodeId()));
      }
    }
    return CompletableFuture.allOf(nodes.toArray(new CompletableFuture<?>[0]))
        .thenApply(all -> opened);
  }

  private synchronized void retryLater() {
    if (closed) {
      return;
    }
    long delay = retryMillis;
    retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    resources.eventExecutorGroup().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void opened(StatefulConnection<String, String> opened) {
    synchronized (this) {
      if (closed) {
        opened.closeAsync();
        return;
      }
      connection = opened;
      commands =
          opened instanceof StatefulRedisClusterConnection
              ? ((StatefulRedisClusterConnection<String, String>) opened).async()
              : ((StatefulRedisConnection<String, String>) opened).async();
    }
    listener.connected();
    if (channel != null) {
      openSubscription();
    }
  }

  private void openSubscription() {
    if (closed) {
      return; // closed while this connection opened: nothing to listen for
    }
    RedisPubSubAdapter<String, String> heard =
        new RedisPubSubAdapter<String, String>() {
          @Override
          public void message(String from, String message) {
            onMessage.accept(message);
          }
        };
    CompletableFuture<? extends StatefulConnection<String, String>> opening;
    try {
      if (cluster) {
        opening =
            clusterClient
                .connectPubSubAsync(StringCodec.UTF8)
                .thenCompose(
                    opened -> {
                      opened.addListener(heard);
                      return opened.async().subscribe(channel).thenApply(done -> opened);
                    });
      } else {
        opening =
            client
                .connectPubSubAsync(StringCodec.UTF8, uri)
                .toCompletableFuture()
                .thenCompose(
                    opened -> {
                      opened.addListener(heard);
                      return opened.async().subscribe(channel).thenApply(done -> opened);
                    });
      }
    } catch (RuntimeException failure) {
      subscriptionFailed(failure);
      return;
    }
    opening.whenComplete(
        (opened, failure) -> {
          if (failure != null) {
            subscriptionFailed(failure);
            return;
          }
          synchronized (this) {
            if (!closed) {
              subscription = opened;
              return;
            }
          }
          opened.closeAsync();
        });
  }

  /**
   * Warns that the channel cannot be listened to, unless this link was closed meanwhile: its own
   * close refuses the subscription it was opening (a backend replaced on reload, a test's), and
   * that says nothing wrong about Redis.
   */
  private void subscriptionFailed(Throwable failure) {
    if (closed) {
      return;
    }
    AgentLog.warn(
        "redis backend: cannot listen to the channel "
            + RedisReset.CHANNEL
            + " ("
            + OutageTracker.describe(failure)
            + "); a client reset on another instance reaches this one within a second instead of"
            + " at once. With Redis ACLs, allow the user the channel: ACL SETUSER <user> &"
            + RedisReset.CHANNEL);
  }

  /** Runs {@code task} now and every {@code millis} on a Lettuce thread, until closed. */
  void every(long millis, Runnable task) {
    resources.eventExecutorGroup().scheduleAtFixedRate(task, 0, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code task} on a Lettuce thread {@code millis} after each connection Lettuce (re)opens,
   * once it is ready for commands: a restart or failover may put another server behind it.
   */
  void afterEachConnect(long millis, Runnable task) {
    resources
        .eventBus()
        .get()
        .filter(event -> event instanceof ConnectionActivatedEvent)
        .subscribe(
            event -> {
              try {
                resources.eventExecutorGroup().schedule(task, millis, TimeUnit.MILLISECONDS);
              } catch (RuntimeException closing) {
                // the client's threads are stopping: nothing left to run it for
              }
            },
            failure -> {});
  }

  /** Whether {@link #close} was called. */
  boolean closed() {
    return closed;
  }

  /** Closes the connection and stops the client's threads, waiting at most about two seconds. */
  void close() {
    StatefulConnection<String, String> open;
    synchronized (this) {
      closed = true;
      open = connection;
      connection = null;
      if (subscription != null) {
        subscription.closeAsync();
        subscription = null;
      }
      commands = null;
    }
    try {
      if (open != null) {
        open.close();
      }
      if (cluster) {
        clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } else {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
