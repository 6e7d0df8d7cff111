package io.fastlimit.agent.config;

import io.fastlimit.agent.http.BlockedResponse;
import io.fastlimit.agent.http.ClientIpResolver;
import io.fastlimit.agent.http.RateLimitHeaders;
import io.fastlimit.agent.rules.RuleSet;

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

  public AgentConfig(
      String source,
      RuleSet rules,
      String keyPrefix,
      String userIdAttribute,
      boolean userIdFromPrincipal,
      ClientIpResolver clientIp,
      RateLimitHeaders headers,
      BlockedResponse response,
      int memoryMaxKeys) {
    this.source = source;
    this.rules = rules;
    this.keyPrefix = keyPrefix;
    this.userIdAttribute = userIdAttribute;
    this.userIdFromPrincipal = userIdFromPrincipal;
    this.clientIp = clientIp;
    this.headers = headers;
    this.response = response;
    this.memoryMaxKeys = memoryMaxKeys;
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
}
