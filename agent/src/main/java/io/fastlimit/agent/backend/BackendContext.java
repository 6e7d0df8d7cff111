package io.fastlimit.agent.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a {@link BackendProvider} gets: the free-form {@code backend-options} of the rules file. */
public final class BackendContext {

  private final Map<String, String> options;
  private final int memoryMaxKeys;

  public BackendContext(Map<String, String> options, int memoryMaxKeys) {
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    this.memoryMaxKeys = memoryMaxKeys;
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
