package io.fastlimit.agent.backend.redis;

import java.util.Collections;
import java.util.List;

/**
 * How to reach Redis and what to do when it fails, as the rules file says. Immutable.
 *
 * <ul>
 *   <li>{@code uris}: one {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI,
 *       or several seed nodes of a cluster;
 *   <li>{@code cluster}: Redis Cluster (also implied by several URIs);
 *   <li>{@code timeoutMillis}: the longest a request waits for Redis;
 *   <li>{@code onError}: what a request gets when Redis is slow or down.
 * </ul>
 */
public final class RedisSettings {

  /** What a request gets when Redis does not answer in time. */
  public enum OnError {
    /** Admit (fail open). */
    ALLOW,
    /** Reject (fail closed). */
    DENY,
    /** Apply the same rules with counters in this instance's memory until Redis is back. */
    LOCAL
  }

  private final List<String> uris;
  private final boolean cluster;
  private final long timeoutMillis;
  private final OnError onError;

  public RedisSettings(List<String> uris, boolean cluster, long timeoutMillis, OnError onError) {
    this.uris = Collections.unmodifiableList(uris);
    this.cluster = cluster || uris.size() > 1;
    this.timeoutMillis = timeoutMillis;
    this.onError = onError;
  }

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
   * A Redis URI with its user and password replaced by ***: everything between "://" and the
   * last '@' (a password may itself hold '@' or '/'; a host never does).
   */
  public static String mask(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
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
        .append(onError.name().toLowerCase(java.util.Locale.ROOT))
        .toString();
  }
}
