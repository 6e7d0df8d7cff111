package io.fastlimit.agent.config;

import io.fastlimit.agent.backend.redis.RedisSettings;
import io.fastlimit.agent.http.BlockedResponse;
import io.fastlimit.agent.http.ClientIpResolver;
import io.fastlimit.agent.http.RateLimitHeaders;
import io.fastlimit.agent.rules.RuleSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One loaded version of the rules file: everything the limiter needs, immutable. */
public final class AgentConfig {

  private final String source;
  private final RuleSet rules;
  private final String keyPrefix;
  private final String userIdAttribute;
  private final boolean userIdFromPrincipal;
  private final ClientIpResolver clientIp;
  private final RateLimitHeaders headers;
  private final BlockedResponse response;
  private final int memoryMaxKeys;
  private final boolean reload;
  private final String logLevel;
  private final int prometheusPort;
  private final String backend;
  private final Map<String, String> backendOptions;
  private final RedisSettings redis;

  public AgentConfig(
      String source,
      RuleSet rules,
      String keyPrefix,
      String userIdAttribute,
      boolean userIdFromPrincipal,
      ClientIpResolver clientIp,
      RateLimitHeaders headers,
      BlockedResponse response,
      int memoryMaxKeys,
      boolean reload,
      String logLevel,
      int prometheusPort,
      String backend,
      Map<String, String> backendOptions,
      RedisSettings redis) {
    this.source = source;
    this.rules = rules;
    this.keyPrefix = keyPrefix;
    this.userIdAttribute = userIdAttribute;
    this.userIdFromPrincipal = userIdFromPrincipal;
    this.clientIp = clientIp;
    this.headers = headers;
    this.response = response;
    this.memoryMaxKeys = memoryMaxKeys;
    this.reload = reload;
    this.logLevel = logLevel;
    this.prometheusPort = prometheusPort;
    this.backend = backend;
    this.backendOptions = Collections.unmodifiableMap(new LinkedHashMap<>(backendOptions));
    this.redis = redis;
  }

  /** How to reach Redis, or null when counters are not in Redis. */
  public RedisSettings redis() {
    return redis;
  }

  /** Where this configuration came from, for messages. */
  public String source() {
    return source;
  }

  public RuleSet rules() {
    return rules;
  }

  public String keyPrefix() {
    return keyPrefix;
  }

  /** The request attribute holding the user id; null when the principal is used instead. */
  public String userIdAttribute() {
    return userIdAttribute;
  }

  public boolean userIdFromPrincipal() {
    return userIdFromPrincipal;
  }

  public ClientIpResolver clientIp() {
    return clientIp;
  }

  public RateLimitHeaders headers() {
    return headers;
  }

  public BlockedResponse response() {
    return response;
  }

  public int memoryMaxKeys() {
    return memoryMaxKeys;
  }

  /** Whether the rules file is watched and changes applied while the app runs. */
  public boolean reload() {
    return reload;
  }

  /** debug, info, warn or error. */
  public String logLevel() {
    return logLevel;
  }

  /** Loopback port of the Prometheus text endpoint; 0 when off. */
  public int prometheusPort() {
    return prometheusPort;
  }

  /**
   * What about this configuration can only change with a restart (where counters live), for a
   * reload to compare; equal strings mean a reload can apply everything. Never log it: it holds
   * Redis passwords and backend options as written.
   */
  public String backendIdentity() {
    return "backend="
        + backend
        + (redis == null ? "" : " " + redis.uris() + " " + redis)
        + " "
        + backendOptions
        + " memory.max-keys="
        + memoryMaxKeys
        + " metrics.prometheus-port="
        + prometheusPort;
  }

  /** {@code memory}, a provider name or a class name. */
  public String backend() {
    return backend;
  }

  /** {@code backend-options}: free-form settings for a custom backend. */
  public Map<String, String> backendOptions() {
    return backendOptions;
  }
}
