package io.fastlimit.agent.backend;

import io.fastlimit.agent.backend.redis.RedisBackend;
import java.util.ServiceLoader;

/**
 * Turns the rules file's {@code backend} into a {@link Backend}: {@code memory} (the default),
 * {@code redis} (implied by {@code redis-url}), a provider name found by ServiceLoader, or the
 * class name of a {@link BackendProvider} or of a {@link Backend} with a public no-argument
 * constructor.
 */
public final class Backends {

  public static final String MEMORY = "memory";
  public static final String REDIS = "redis";

  private Backends() {}

  public static Backend create(String name, BackendContext context) throws Exception {
    if (MEMORY.equals(name)) {
      return new MemoryBackend(MemoryBackend.monotonicClock(), context.memoryMaxKeys());
    }
    if (REDIS.equals(name)) {
      if (context.redis() == null) {
        throw new IllegalArgumentException("backend 'redis' needs redis-url");
      }
      return RedisBackend.connect(context.redis());
    }
    ClassLoader loader = Backends.class.getClassLoader();
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class, loader)) {
      if (provider.name().equals(name)) {
        return provider.create(context);
      }
    }
    Class<?> type;
    try {
      type = Class.forName(name, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "no backend '"
              + name
              + "': not 'memory', no BackendProvider of that name on the class path"
              + " (META-INF/services/"
              + BackendProvider.class.getName()
              + "), and no class of that name",
          e);
    }
    Object instance = type.getConstructor().newInstance();
    if (instance instanceof BackendProvider) {
      return ((BackendProvider) instance).create(context);
    }
    if (instance instanceof Backend) {
      return (Backend) instance;
    }
    throw new IllegalArgumentException(
        name
            + " is neither a "
            + BackendProvider.class.getName()
            + " nor a "
            + Backend.class.getName());
  }
}
