package io.fastlimit.bootstrap;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * Reaches into Vert.x for what its public API does not give: the Netty event loop of a context
 * ({@code nettyEventLoop()}), a public method of Vert.x's internal {@code ContextInternal}, whose
 * package differs between Vert.x 4 and 5. Used by the Vert.x advice only when a decision goes to
 * {@link OffLoopDecision}, so reflection costs nothing on the memory backend. JDK types only; never
 * throws.
 */
public final class VertxContexts {

  private VertxContexts() {}

  private static final ClassValue<Method> EVENT_LOOP = new Finder("nettyEventLoop");

  /** The event loop a Vert.x context runs on, as an executor; null when it cannot be had. */
  public static Executor eventLoop(Object context) {
    Object loop = call(EVENT_LOOP, context);
    return loop instanceof Executor ? (Executor) loop : null;
  }

  private static Object call(ClassValue<Method> finder, Object target) {
    if (target == null) {
      return null;
    }
    Method method = finder.get(target.getClass());
    if (method == null) {
      return null;
    }
    try {
      return method.invoke(target);
    } catch (Throwable failure) {
      RateLimitBridge bridge = BridgeHolder.get();
      if (bridge != null) {
        bridge.failed(failure);
      }
      return null;
    }
  }

  /** A public no-argument method by name, made callable once per class; null when absent. */
  private static final class Finder extends ClassValue<Method> {
    private final String name;

    Finder(String name) {
      this.name = name;
    }

    @Override
    protected Method computeValue(Class<?> type) {
      try {
        Method method = type.getMethod(name);
        method.setAccessible(true); // public, but maybe on a package-private class
        return method;
      } catch (Throwable absent) {
        return null;
      }
    }
  }
}
