package io.fastlimit.agent.backend;

import io.fastlimit.agent.config.RedisConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link BackendProvider} gets: the free-form {@code backend-options} of the rules file, and
 * the settings the built-in backends use.
 */
public final class BackendContext {

  private final Map<String, String> options;
  private final int memoryMaxKeys;
  private final RedisConfig redis;

  public BackendContext(Map<String, String> options, int memoryMaxKeys, RedisConfig redis) {
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    this.memoryMaxKeys = memoryMaxKeys;
    this.redis = redis;
  }

  /** The rules file's Redis settings, or null. */
  public RedisConfig redis() {
    return redis;
  }

  /** {@code backend-options} as written, values as strings. */
  public Map<String, String> options() {
    return options;
  }

  /** {@code memory.max-keys}, for backends that keep a local cache. */
  public int memoryMaxKeys() {
    return memoryMaxKeys;
  }
}
