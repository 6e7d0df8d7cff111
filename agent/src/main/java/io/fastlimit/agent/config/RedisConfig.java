package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.Algorithm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How to reach Redis and what to do when it fails, as the rules file says; the Redis backend is
 * built from it at start (a plain value: config depends on no backend). Compared by content. Its
 * text masks passwords.
 */
public final class RedisConfig {

  /**
   * Largest {@code limit x window-ms} a rate may have with Redis: Lua counts in doubles, exact to
   * 2^53, and the script's largest intermediate is 3 x limit x window (cost at most the limit).
   * Smaller than {@link io.fastlimit.agent.rules.Rate#MAX_LIMIT_TIMES_WINDOW}; about 70 000
   * requests per second over a window of a full year still fits.
   */
  public static final long MAX_LIMIT_TIMES_WINDOW = 1L << 51;

  /** What a request gets when Redis does not answer in time. */
  public enum OnError {
    /** Admit (fail open). */
    ALLOW("allow"),
    /** Reject (fail closed). */
    DENY("deny"),
    /** Apply the same rules with counters in this instance's memory until Redis is back. */
    LOCAL("local");

    private final String configName;

    OnError(String configName) {
      this.configName = configName;
    }

    /** The word the rules file uses. */
    public String configName() {
      return configName;
    }
  }

  /**
   * {@code redis.fixed-window}, {@code redis.sliding-window} and {@code redis.token-bucket}: how
   * charges of that algorithm are counted in Redis. A new stored format beside the scripts':
   * instances with different settings count that algorithm's buckets apart.
   */
  public enum Counting {
    /** By the scripts every algorithm shares: one EVALSHA per request. */
    SCRIPT("script"),
    /**
     * By plain commands, {@code INCRBY} and {@code PEXPIRE} of a key per window (envoy's
     * ratelimit's shape), and for a sliding window an {@code MGET} of the windows beside; a token
     * bucket by {@code ZADD GT} and {@code ZINCRBY} of its theoretical arrival time: a fraction of
     * a script's Redis CPU, times by Redis's clock as sampled here.
     */
    COMMANDS("commands");

    private final String configName;

    Counting(String configName) {
      this.configName = configName;
    }

    /** The word the rules file uses. */
    public String configName() {
      return configName;
    }
  }

  /**
   * {@code redis.tls}: how a {@code rediss://} connection trusts the server and proves itself.
   * Files are PEM: the CA certificates, and the client's certificate chain with its PKCS#8 key.
   */
  public static final class Tls {
    private final String caFile;
    private final String certFile;
    private final String keyFile;
    private final boolean verifyPeer;

    /** Null files: the JDK's trusted CAs, no client certificate. */
    public Tls(String caFile, String certFile, String keyFile, boolean verifyPeer) {
      this.caFile = caFile;
      this.certFile = certFile;
      this.keyFile = keyFile;
      this.verifyPeer = verifyPeer;
    }

    /** The settings when the rules file has no {@code redis.tls}. */
    public static final Tls DEFAULT = new Tls(null, null, null, true);

    /** PEM file of the CAs the server's certificate must chain to; null for the JDK's. */
    public String caFile() {
      return caFile;
    }

    /** PEM certificate chain this client presents; null for none. */
    public String certFile() {
      return certFile;
    }

    /** PEM (PKCS#8) private key of {@link #certFile()}. */
    public String keyFile() {
      return keyFile;
    }

    /** Whether the server's certificate and host name are checked (on unless turned off). */
    public boolean verifyPeer() {
      return verifyPeer;
    }

    @Override
    public boolean equals(Object other) {
      if (!(other instanceof Tls)) {
        return false;
      }
      Tls that = (Tls) other;
      return Objects.equals(caFile, that.caFile)
          && Objects.equals(certFile, that.certFile)
          && Objects.equals(keyFile, that.keyFile)
          && verifyPeer == that.verifyPeer;
    }

    @Override
    public int hashCode() {
      return Objects.hash(caFile, certFile, keyFile, verifyPeer);
    }
  }

  private final List<String> uris;
  private final boolean cluster;
  private final long timeoutMillis;
  private final OnError onError;
  private final Tls tls;
  private final long inFlightLeaseMillis;

  /** The algorithms counted by {@link Counting#COMMANDS}; the scripts count the others. */
  private final Set<Algorithm> byCommands;

  /** Several URIs are the seed nodes of a cluster, whatever {@code cluster} says. */
  public RedisConfig(List<String> uris, boolean cluster, long timeoutMillis, OnError onError) {
    this(uris, cluster, timeoutMillis, onError, Tls.DEFAULT);
  }

  /** As {@link #RedisConfig(List, boolean, long, OnError)}, with these TLS settings. */
  public RedisConfig(
      List<String> uris, boolean cluster, long timeoutMillis, OnError onError, Tls tls) {
    this(
        uris,
        cluster,
        timeoutMillis,
        onError,
        tls,
        DEFAULT_IN_FLIGHT_LEASE_MILLIS,
        EnumSet.noneOf(Algorithm.class));
  }

  private RedisConfig(
      List<String> uris,
      boolean cluster,
      long timeoutMillis,
      OnError onError,
      Tls tls,
      long inFlightLeaseMillis,
      Set<Algorithm> byCommands) {
    this.uris = Collections.unmodifiableList(new ArrayList<>(uris));
    this.cluster = cluster || uris.size() > 1;
    this.timeoutMillis = timeoutMillis;
    this.onError = onError;
    this.tls = tls;
    this.inFlightLeaseMillis = inFlightLeaseMillis;
    this.byCommands = Collections.unmodifiableSet(copy(byCommands));
  }

  private static Set<Algorithm> copy(Set<Algorithm> algorithms) {
    return algorithms.isEmpty() ? EnumSet.noneOf(Algorithm.class) : EnumSet.copyOf(algorithms);
  }

  /** {@code redis.in-flight-lease} when the rules file does not set it. */
  public static final long DEFAULT_IN_FLIGHT_LEASE_MILLIS = 60_000;

  /** Shortest and longest {@code redis.in-flight-lease} the rules file may set. */
  public static final long MIN_IN_FLIGHT_LEASE_MILLIS = 1_000;

  public static final long MAX_IN_FLIGHT_LEASE_MILLIS = 86_400_000;

  /** These settings with another {@code redis.in-flight-lease}. */
  public RedisConfig withInFlightLease(long millis) {
    return new RedisConfig(uris, cluster, timeoutMillis, onError, tls, millis, byCommands);
  }

  /**
   * These settings with {@code algorithm} counted by {@code counting}: {@code redis.fixed-window},
   * {@code redis.sliding-window} or {@code redis.token-bucket}.
   */
  public RedisConfig withCounting(Algorithm algorithm, Counting counting) {
    Set<Algorithm> algorithms = copy(byCommands);
    if (counting == Counting.COMMANDS) {
      algorithms.add(algorithm);
    } else {
      algorithms.remove(algorithm);
    }
    return new RedisConfig(
        uris, cluster, timeoutMillis, onError, tls, inFlightLeaseMillis, algorithms);
  }

  /**
   * How charges of {@code algorithm} are counted: {@link Counting#SCRIPT} unless the rules file
   * says otherwise ({@code redis.fixed-window}, {@code redis.sliding-window}, {@code
   * redis.token-bucket}; the sliding log is always counted by the scripts).
   */
  public Counting counting(Algorithm algorithm) {
    return byCommands.contains(algorithm) ? Counting.COMMANDS : Counting.SCRIPT;
  }

  /** Whether any algorithm is counted by {@link Counting#COMMANDS}. */
  public boolean countsByCommands() {
    return !byCommands.isEmpty();
  }

  /**
   * {@code redis.in-flight-lease}: how long a {@code concurrent:} slot is held in Redis at most. A
   * request in flight longer stops counting against the cap; the slots of a crashed instance come
   * back after it.
   */
  public long inFlightLeaseMillis() {
    return inFlightLeaseMillis;
  }

  /** {@code redis.tls}, for {@code rediss://} URIs. */
  public Tls tls() {
    return tls;
  }

  /** {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URIs, passwords included. */
  public List<String> uris() {
    return uris;
  }

  public boolean cluster() {
    return cluster;
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  public OnError onError() {
    return onError;
  }

  /**
   * A Redis URI with its user and password replaced by ***: everything between "://" and the last
   * '@' (a password may itself hold '@' or '/'; a host never does).
   */
  public static String mask(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof RedisConfig)) {
      return false;
    }
    RedisConfig that = (RedisConfig) other;
    return uris.equals(that.uris)
        && cluster == that.cluster
        && timeoutMillis == that.timeoutMillis
        && onError == that.onError
        && tls.equals(that.tls)
        && inFlightLeaseMillis == that.inFlightLeaseMillis
        && byCommands.equals(that.byCommands);
  }

  @Override
  public int hashCode() {
    return ((uris.hashCode() * 31 + Boolean.hashCode(cluster)) * 31 + Long.hashCode(timeoutMillis))
            * 31
        + onError.hashCode()
        + 31 * tls.hashCode()
        + Long.hashCode(inFlightLeaseMillis)
        + 17 * byCommands.hashCode();
  }

  /** For messages; passwords are masked. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("redis ");
    for (int i = 0; i < uris.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(mask(uris.get(i)));
    }
    return out.append(cluster ? " cluster" : "")
        .append(" timeout=")
        .append(timeoutMillis)
        .append("ms on-error=")
        .append(onError.name().toLowerCase(Locale.ROOT))
        .append(commandsText())
        .toString();
  }

  private String commandsText() {
    StringBuilder out = new StringBuilder();
    for (Algorithm algorithm : byCommands) {
      out.append(' ').append(algorithm.configName()).append("=commands");
    }
    return out.toString();
  }
}
