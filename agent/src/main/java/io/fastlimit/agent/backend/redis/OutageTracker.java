package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.AgentLog;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parts of Redis that failed and have not answered since (a cluster node by its id, "" for one
 * server), with when they last failed, and the outage they make, logged once when it starts and
 * once when Redis answers again. While a part fails, one request at a time asks it (the probe) and
 * the others get the on-error answer at once: a hung Redis or an unreachable cluster node holds up
 * one request thread per timeout instead of every one, the first answer ends it, and in a cluster
 * the other nodes are not affected.
 */
final class OutageTracker {

  /** A part that failed and was not asked again for this long no longer keeps an outage open. */
  static final long STALE_FAILURE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final RedisConfig settings;
  private final RedisClock clock;

  /** 1 while Redis answers, 0 after an outage was reported; only transitions are logged. */
  private final AtomicInteger healthy = new AtomicInteger(1);

  /**
   * When Redis last failed, by {@link RedisClock#nanos()}: an answer to a request sent before it (a
   * slow script answered just after another request timed out) says nothing about Redis now and
   * ends no outage, or each such straggler would end it and the next failure log it again.
   */
  private volatile long lastFailedNanos;

  private final ConcurrentHashMap<String, Long> failing = new ConcurrentHashMap<>();

  /** The failing parts a request is asking now. */
  private final Set<String> probing = ConcurrentHashMap.newKeySet();

  /**
   * The kinds of misconfiguration (a refused password, an ACL, TLS) logged in this outage: one that
   * shows up after the outage began (its first failure was a connection closed early, say) is
   * logged once too, or the user would never read what to fix.
   */
  private final Set<String> explained = ConcurrentHashMap.newKeySet();

  OutageTracker(RedisConfig settings, RedisClock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** Whether any part is failing: the cheap test before a part is looked up. */
  boolean anyFailing() {
    return !failing.isEmpty();
  }

  boolean failing(String part) {
    return failing.containsKey(part);
  }

  /**
   * Makes this request the one asking a failing part: false when another request already is. A true
   * answer must be followed by {@link #endProbe}.
   */
  boolean startProbe(String part) {
    return probing.add(part);
  }

  void endProbe(String part) {
    probing.remove(part);
  }

  /** A script on this part failed or timed out. */
  void partFailed(String part) {
    failing.put(part, clock.nanos());
  }

  /** A script on this part, sent at {@code sentNanos}, was answered. */
  void partAnswered(String part, long sentNanos) {
    // sent before the part last failed: it says nothing about the part now
    failing.computeIfPresent(part, (key, failedAt) -> sentNanos - failedAt >= 0 ? null : failedAt);
  }

  /** Redis failed (a script, or connecting): logs the outage if it is a new one. */
  void failed(Throwable failure) {
    lastFailedNanos = clock.nanos();
    String kind = misconfiguration(failure);
    boolean started = healthy.compareAndSet(1, 0);
    if ((kind != null && explained.add(kind)) || started) {
      AgentLog.error(
          "redis backend: "
              + settings
              + " failed ("
              + describe(failure)
              + "); on-error "
              + settings.onError().name().toLowerCase(Locale.ROOT)
              + " applies until Redis answers again (logged once per outage)",
          null);
    }
  }

  /** A connection opened: logs the end of an outage. */
  void answered() {
    answered(clock.nanos());
  }

  /**
   * Redis answered a request sent at {@code sentNanos}: logs the end of an outage, unless the
   * request was sent before the last failure.
   */
  void answered(long sentNanos) {
    // in a cluster with a node down, answers from the other nodes do not end the outage
    if (healthy.get() == 0
        && sentNanos - lastFailedNanos >= 0
        && noneFailing()
        && healthy.compareAndSet(0, 1)) {
      explained.clear();
      AgentLog.info("redis backend: Redis answers again; limits are shared again");
    }
  }

  /**
   * "tls", "acl" or "auth" when the failure or one of its causes is that misconfiguration, else
   * null. Asked of every failed request in an outage, so it builds no text.
   */
  private static String misconfiguration(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String kind = kindOf(cause);
      if (kind != null) {
        return kind;
      }
    }
    return null;
  }

  /** The misconfiguration this one failure (not its causes) says, or null. */
  private static String kindOf(Throwable cause) {
    if (cause instanceof javax.net.ssl.SSLException) {
      return "tls";
    }
    String message = String.valueOf(cause.getMessage());
    if (message.startsWith("NOPERM")) {
      return "acl";
    }
    if (message.startsWith("WRONGPASS")
        || message.startsWith("NOAUTH")
        || message.contains("invalid password")) {
      return "auth";
    }
    return null;
  }

  /** The failure and its causes on one line: a user reads why, not a stack trace. */
  static String describe(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String kind = kindOf(cause);
      if (kind == null) {
        continue;
      }
      String message = String.valueOf(cause.getMessage());
      switch (kind) {
        case "tls":
          return "TLS handshake failed: "
              + message
              + "; the server's certificate must chain to redis.tls.ca-file (else to the JDK's"
              + " CAs) and name the host of redis-url, and a server that asks for a client"
              + " certificate needs redis.tls.cert-file and key-file";
        case "acl":
          return "Redis's ACL does not allow the user of redis-url this: "
              + message
              + "; the agent needs the keys under its key-prefix and the commands EVALSHA, EVAL,"
              + " SCRIPT and TIME (with redis.fixed-window, sliding-window or token-bucket:"
              + " commands, also INCRBY, PEXPIRE, MGET, ZADD, ZINCRBY, DEL and INFO)";
        default:
          return "Redis refused the user or password of redis-url: "
              + message
              + "; fix them in redis-url (or the environment variable it names) and restart the"
              + " application, as redis-url is read at start only. Meanwhile the agent keeps"
              + " trying, so a password fixed on Redis's side is picked up without a restart";
      }
    }
    StringBuilder text = new StringBuilder(String.valueOf(failure));
    Throwable cause = failure.getCause();
    for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
      text.append(", caused by ").append(cause);
    }
    return text.toString();
  }

  /**
   * Whether no part of Redis is failing. A part that failed but was not asked again for a minute (a
   * node replaced in a failover, a slot no client uses any more) no longer counts, so that it
   * cannot hold an outage open forever and silence the next one.
   */
  private boolean noneFailing() {
    if (failing.isEmpty()) {
      return true;
    }
    long now = clock.nanos();
    failing.values().removeIf(failedAt -> now - failedAt > STALE_FAILURE_NANOS);
    return failing.isEmpty();
  }
}
