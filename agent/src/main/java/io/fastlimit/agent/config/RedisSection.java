package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.Algorithm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** {@code redis-url} and {@code redis}: how to reach Redis and what to do when it fails. */
final class RedisSection {

  private static final List<String> REDIS_KEYS =
      Arrays.asList(
          "timeout",
          "on-error",
          "cluster",
          "tls",
          "in-flight-lease",
          "fixed-window",
          "sliding-window",
          "token-bucket");
  private static final List<String> TLS_KEYS =
      Arrays.asList("ca-file", "cert-file", "key-file", "verify-peer");
  private static final YamlReader.Words<RedisConfig.OnError> ON_ERROR =
      new YamlReader.Words<>(
          "on-error",
          "allow, deny or local",
          RedisConfig.OnError.values(),
          RedisConfig.OnError::configName,
          "allow (fail open), deny (fail closed), local (limit in memory)");

  /**
   * {@code redis.fixed-window}, {@code sliding-window}, {@code token-bucket}: the words of each
   * (script or commands), in the order of {@link #COUNTED}.
   */
  private static final Algorithm[] COUNTED = {
    Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.TOKEN_BUCKET
  };

  private static final String[] COMMANDS_SHAPE = {
    "INCRBY + PEXPIRE per window key",
    "INCRBY + PEXPIRE per window key, MGET of the previous one",
    "ZADD GT + ZINCRBY + PEXPIRE of one key, Redis 6.2 or later"
  };

  private static YamlReader.Words<RedisConfig.Counting> counting(int at) {
    return new YamlReader.Words<>(
        COUNTED[at].configName(),
        "script or commands",
        RedisConfig.Counting.values(),
        RedisConfig.Counting::configName,
        "script (one EVALSHA, the default), commands (" + COMMANDS_SHAPE[at] + ")");
  }

  private RedisSection() {}

  /** The Redis settings, or null when the file has no (usable) redis-url. */
  static RedisConfig read(YamlReader yaml, Node urlNode, Node settingsNode) {
    Map<String, Node> settings = yaml.mapping(settingsNode, "redis", REDIS_KEYS);
    if (urlNode == null) {
      if (settings != null) {
        yaml.problem(
            settingsNode, "'redis' settings need 'redis-url', e.g. redis://localhost:6379");
      }
      return null;
    }
    long timeout = 50;
    RedisConfig.OnError onError = RedisConfig.OnError.ALLOW;
    boolean cluster = false;
    RedisConfig.Tls tls = RedisConfig.Tls.DEFAULT;
    long lease = RedisConfig.DEFAULT_IN_FLIGHT_LEASE_MILLIS;
    RedisConfig.Counting[] counting = new RedisConfig.Counting[COUNTED.length];
    Arrays.fill(counting, RedisConfig.Counting.SCRIPT);
    if (settings != null) {
      for (int i = 0; i < COUNTED.length; i++) {
        counting[i] =
            yaml.word(
                settings.get(COUNTED[i].configName()), counting(i), RedisConfig.Counting.SCRIPT);
      }
      if (settings.containsKey("in-flight-lease")) {
        lease = inFlightLease(yaml, settings.get("in-flight-lease"));
      }
      if (settings.containsKey("tls")) {
        tls = tls(yaml, settings.get("tls"));
      }
      if (settings.containsKey("timeout")) {
        timeout = timeout(yaml, settings.get("timeout"), timeout);
      }
      onError = yaml.word(settings.get("on-error"), ON_ERROR, onError);
      cluster = yaml.bool(settings.get("cluster"), false);
    }
    List<Node> urlNodes =
        urlNode instanceof SequenceNode
            ? yaml.list(urlNode, "redis-url")
            : Collections.singletonList(urlNode);
    List<String> uris = new ArrayList<>();
    for (Node node : urlNodes) {
      String uri = yaml.nonEmptyString(node, "a Redis URL");
      if (uri == null) {
        continue;
      }
      String shown = RedisConfig.mask(yaml.asWritten(node, uri));
      if (!uri.startsWith("redis://")
          && !uri.startsWith("rediss://")
          && !uri.startsWith("redis-sentinel://")) {
        yaml.problem(
            node,
            "invalid redis-url '"
                + shown
                + "': write redis://[:password@]host:port[/database], rediss://... for TLS or"
                + " redis-sentinel://host:port[,host:port]/database#master");
      } else if (!validUri(uri)) {
        yaml.problem(
            node,
            "invalid redis-url '"
                + shown
                + "': not a valid URI; percent-encode special characters of the password"
                + " (e.g. %5E for ^, %20 for a space)");
      } else {
        uris.add(uri);
      }
    }
    if (uris.isEmpty()) {
      if (urlNodes.isEmpty()) {
        yaml.problem(urlNode, "redis-url lists no URL");
      }
      return null;
    }
    if (settings != null && settings.containsKey("tls") && !anyTls(uris)) {
      yaml.problem(
          settings.get("tls"),
          "redis.tls applies to TLS connections only: write the URL as rediss://host:port");
    }
    RedisConfig config = new RedisConfig(uris, cluster, timeout, onError, tls);
    config = lease == config.inFlightLeaseMillis() ? config : config.withInFlightLease(lease);
    for (int i = 0; i < COUNTED.length; i++) {
      config = config.withCounting(COUNTED[i], counting[i]);
    }
    return config;
  }

  /** {@code redis.tls}: files must exist when the file is read, a key goes with a certificate. */
  private static RedisConfig.Tls tls(YamlReader yaml, Node node) {
    Map<String, Node> tls = yaml.mapping(node, "redis.tls", TLS_KEYS);
    if (tls == null) {
      return RedisConfig.Tls.DEFAULT;
    }
    String ca = pemFile(yaml, tls.get("ca-file"), "ca-file");
    String cert = pemFile(yaml, tls.get("cert-file"), "cert-file");
    String key = pemFile(yaml, tls.get("key-file"), "key-file");
    boolean verifyPeer = yaml.bool(tls.get("verify-peer"), true);
    if ((cert == null) != (key == null)) {
      yaml.problem(
          node,
          "redis.tls needs both cert-file and key-file for a client certificate (or neither)");
    }
    return new RedisConfig.Tls(ca, cert, key, verifyPeer);
  }

  private static String pemFile(YamlReader yaml, Node node, String name) {
    if (node == null) {
      return null;
    }
    String path = yaml.nonEmptyString(node, "a file path");
    if (path != null && !java.nio.file.Files.isReadable(java.nio.file.Paths.get(path))) {
      yaml.problem(node, "redis.tls." + name + ": cannot read '" + path + "' (a PEM file)");
    }
    return path;
  }

  private static long timeout(YamlReader yaml, Node node, long fallback) {
    String text = yaml.nonEmptyString(node, "a duration");
    if (text == null) {
      return fallback;
    }
    try {
      long timeout = Durations.parseMillis(text);
      if (timeout < 1 || timeout > 60_000) {
        yaml.problem(node, "redis.timeout must be from 1ms to 60s");
      }
      return timeout;
    } catch (IllegalArgumentException e) {
      yaml.problem(node, e.getMessage());
      return fallback;
    }
  }

  /**
   * {@code redis.in-flight-lease}: from 1s to 24h. A lease ends a slot even when the request
   * holding it is still running, so it must be far longer than the requests the rule caps.
   */
  private static long inFlightLease(YamlReader yaml, Node node) {
    long fallback = RedisConfig.DEFAULT_IN_FLIGHT_LEASE_MILLIS;
    String text = yaml.nonEmptyString(node, "a duration");
    if (text == null) {
      return fallback;
    }
    long lease;
    try {
      lease = Durations.parseMillis(text);
    } catch (IllegalArgumentException e) {
      yaml.problem(node, e.getMessage());
      return fallback;
    }
    if (lease < RedisConfig.MIN_IN_FLIGHT_LEASE_MILLIS
        || lease > RedisConfig.MAX_IN_FLIGHT_LEASE_MILLIS) {
      yaml.problem(
          node,
          "redis.in-flight-lease must be from 1s to 24h (how long a concurrent: slot is held at"
              + " most; a request in flight longer stops counting), e.g. in-flight-lease: 60s");
      return fallback;
    }
    return lease;
  }

  private static boolean anyTls(List<String> uris) {
    for (String uri : uris) {
      if (uri.startsWith("rediss://")) {
        return true;
      }
    }
    return false;
  }

  private static boolean validUri(String uri) {
    try {
      new java.net.URI(uri);
      return true;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
