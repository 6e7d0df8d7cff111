package io.fastlimit.agent.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of a configuration that only a restart applies: where counters live (backend, Redis,
 * backend options, memory size) and how metrics are served. A reload compares the old and new
 * settings by {@link #equals}; they hold passwords, so they have no text of their own.
 */
public final class RestartSettings {

  /** The built-in backend names; any other name is a provider or class. */
  public static final String MEMORY = "memory";

  public static final String REDIS = "redis";

  /** Counters the memory backend holds at most unless {@code memory.max-keys} says otherwise. */
  public static final int DEFAULT_MEMORY_MAX_KEYS = 1 << 20;

  private final String backend;
  private final Map<String, String> backendOptions;
  private final RedisConfig redis;
  private final int memoryMaxKeys;
  private final int prometheusPort;

  RestartSettings(
      String backend,
      Map<String, String> backendOptions,
      RedisConfig redis,
      int memoryMaxKeys,
      int prometheusPort) {
    this.backend = backend;
    this.backendOptions = Collections.unmodifiableMap(new LinkedHashMap<>(backendOptions));
    this.redis = redis;
    this.memoryMaxKeys = memoryMaxKeys;
    this.prometheusPort = prometheusPort;
  }

  /** {@code memory}, {@code redis}, a provider name or a class name. */
  public String backend() {
    return backend;
  }

  /** {@code backend-options}: free-form settings for a custom backend. */
  public Map<String, String> backendOptions() {
    return backendOptions;
  }

  /** How to reach Redis, or null when counters are not in Redis. */
  public RedisConfig redis() {
    return redis;
  }

  public int memoryMaxKeys() {
    return memoryMaxKeys;
  }

  /** Loopback port of the Prometheus text endpoint; 0 when off. */
  public int prometheusPort() {
    return prometheusPort;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof RestartSettings)) {
      return false;
    }
    RestartSettings that = (RestartSettings) other;
    return backend.equals(that.backend)
        && backendOptions.equals(that.backendOptions)
        && (redis == null ? that.redis == null : redis.equals(that.redis))
        && memoryMaxKeys == that.memoryMaxKeys
        && prometheusPort == that.prometheusPort;
  }

  @Override
  public int hashCode() {
    int hash = backend.hashCode();
    hash = hash * 31 + backendOptions.hashCode();
    hash = hash * 31 + (redis == null ? 0 : redis.hashCode());
    hash = hash * 31 + memoryMaxKeys;
    return hash * 31 + prometheusPort;
  }
}
