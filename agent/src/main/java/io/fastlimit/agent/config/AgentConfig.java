package io.fastlimit.agent.config;

import io.fastlimit.agent.client.ClientIpResolver;
import io.fastlimit.agent.identity.ClientIdentity;
import io.fastlimit.agent.response.BlockedResponse;
import io.fastlimit.agent.response.RateLimitHeaders;
import io.fastlimit.agent.rules.RuleSet;
import java.util.Collections;
import java.util.Map;

/**
 * One loaded version of the rules file: everything the limiter needs, immutable. What only a
 * restart can change is gathered in {@link #restartSettings()}. Built with {@link #builder}.
 */
public final class AgentConfig {

  private final String source;
  private final RuleSet rules;
  private final String keyPrefix;
  private final String userIdAttribute;
  private final boolean userIdFromPrincipal;
  private final ClientIdentity clientIdentity;
  private final ClientIpResolver clientIp;
  private final RateLimitHeaders headers;
  private final BlockedResponse response;
  private final boolean reload;
  private final LogLevel logLevel;
  private final LogFormat logFormat;
  private final String logFile;
  private final RestartSettings restartSettings;

  private AgentConfig(Builder builder) {
    this.source = builder.source;
    this.rules = builder.rules;
    this.keyPrefix = builder.keyPrefix;
    this.userIdAttribute = builder.userIdFromPrincipal ? null : builder.userIdAttribute;
    this.userIdFromPrincipal = builder.userIdFromPrincipal;
    this.clientIdentity = builder.clientIdentity;
    this.clientIp = builder.clientIp;
    this.headers = builder.headers;
    this.response = builder.response;
    this.reload = builder.reload;
    this.logLevel = builder.logLevel;
    this.logFormat = builder.logFormat;
    this.logFile = builder.logFile;
    this.restartSettings =
        new RestartSettings(
            builder.backend,
            builder.backendOptions,
            builder.redis,
            builder.memoryMaxKeys,
            builder.prometheusPort);
  }

  /**
   * A builder with the documented defaults: no rules, key prefix {@code fastlimit}, user id from
   * the attribute {@code user_id}, every client by its socket address, default headers and 429,
   * reload on, log level info, the memory backend and no metrics.
   */
  public static Builder builder(String source) {
    return new Builder(source);
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

  /**
   * How the limiter reads the user id (API key, JWT) and plan from the request itself; null when
   * the entry point's user id (attribute or principal) is all there is.
   */
  public ClientIdentity clientIdentity() {
    return clientIdentity;
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

  /** Whether the rules file is watched and changes applied while the app runs. */
  public boolean reload() {
    return reload;
  }

  public LogLevel logLevel() {
    return logLevel;
  }

  /** {@code log-format}: text or json lines. */
  public LogFormat logFormat() {
    return logFormat;
  }

  /** {@code log-file}: the absolute path the agent's log lines go to, or null for stderr. */
  public String logFile() {
    return logFile;
  }

  /** Where counters live and how metrics are served: what a reload cannot change. */
  public RestartSettings restartSettings() {
    return restartSettings;
  }

  /** How to reach Redis, or null when counters are not in Redis. */
  public RedisConfig redis() {
    return restartSettings.redis();
  }

  public int memoryMaxKeys() {
    return restartSettings.memoryMaxKeys();
  }

  /** Loopback port of the Prometheus text endpoint; 0 when off. */
  public int prometheusPort() {
    return restartSettings.prometheusPort();
  }

  /** {@code memory}, {@code redis}, a provider name or a class name. */
  public String backend() {
    return restartSettings.backend();
  }

  /** {@code backend-options}: free-form settings for a custom backend. */
  public Map<String, String> backendOptions() {
    return restartSettings.backendOptions();
  }

  /** Named settings for an {@link AgentConfig}; each has the documented default. */
  public static final class Builder {

    private final String source;
    private RuleSet rules = new RuleSet(Collections.emptyList());
    private String keyPrefix = "fastlimit";
    private String userIdAttribute = "user_id";
    private boolean userIdFromPrincipal;
    private ClientIdentity clientIdentity;
    private ClientIpResolver clientIp =
        new ClientIpResolver(0, Collections.emptyList(), ConfigLoader.DEFAULT_IPV6_PREFIX);
    private RateLimitHeaders headers = RateLimitHeaders.defaults();
    private BlockedResponse response = BlockedResponse.defaults();
    private boolean reload = true;
    private LogLevel logLevel = LogLevel.INFO;
    private LogFormat logFormat = LogFormat.TEXT;
    private String logFile;
    private String backend = RestartSettings.MEMORY;
    private Map<String, String> backendOptions = Collections.emptyMap();
    private RedisConfig redis;
    private int memoryMaxKeys = RestartSettings.DEFAULT_MEMORY_MAX_KEYS;
    private int prometheusPort;

    private Builder(String source) {
      this.source = source;
    }

    public Builder rules(RuleSet rules) {
      this.rules = rules;
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** The request attribute holding the user id. */
    public Builder userIdAttribute(String userIdAttribute) {
      this.userIdAttribute = userIdAttribute;
      return this;
    }

    /** Take the user id from the principal instead of an attribute. */
    public Builder userIdFromPrincipal(boolean userIdFromPrincipal) {
      this.userIdFromPrincipal = userIdFromPrincipal;
      return this;
    }

    /** The user id and plan read from the request by the limiter; null for none. */
    public Builder clientIdentity(ClientIdentity clientIdentity) {
      this.clientIdentity = clientIdentity;
      return this;
    }

    public Builder clientIp(ClientIpResolver clientIp) {
      this.clientIp = clientIp;
      return this;
    }

    public Builder headers(RateLimitHeaders headers) {
      this.headers = headers;
      return this;
    }

    public Builder response(BlockedResponse response) {
      this.response = response;
      return this;
    }

    public Builder reload(boolean reload) {
      this.reload = reload;
      return this;
    }

    public Builder logLevel(LogLevel logLevel) {
      this.logLevel = logLevel;
      return this;
    }

    public Builder logFormat(LogFormat logFormat) {
      this.logFormat = logFormat;
      return this;
    }

    public Builder logFile(String logFile) {
      this.logFile = logFile;
      return this;
    }

    /** {@code memory}, {@code redis}, a provider name or a class name. */
    public Builder backend(String backend) {
      this.backend = backend;
      return this;
    }

    public Builder backendOptions(Map<String, String> backendOptions) {
      this.backendOptions = backendOptions;
      return this;
    }

    /** How to reach Redis; null when counters are not in Redis. */
    public Builder redis(RedisConfig redis) {
      this.redis = redis;
      return this;
    }

    public Builder memoryMaxKeys(int memoryMaxKeys) {
      this.memoryMaxKeys = memoryMaxKeys;
      return this;
    }

    /** 0 for no metrics endpoint. */
    public Builder prometheusPort(int prometheusPort) {
      this.prometheusPort = prometheusPort;
      return this;
    }

    public AgentConfig build() {
      return new AgentConfig(this);
    }
  }
}
