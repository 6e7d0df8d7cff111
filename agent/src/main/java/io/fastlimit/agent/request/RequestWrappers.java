package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Walks a servlet request inward, through any {@code ServletRequestWrapper}s (javax or jakarta) the
 * application put around it, to what a container's own request leads to. Reflective: the agent's
 * classes cannot see the servlet API's. The walk is bounded, so a wrapper chain that loops back on
 * itself ends it with nothing found.
 */
final class RequestWrappers {

  /** Deeper than any wrapper chain seen in practice; a longer one is treated as a loop. */
  static final int MAX_DEPTH = 16;

  /** What one container recognises at each step of the walk. */
  interface Container {
    /** What the walk returns when {@code request} is the container's own, else null. */
    Object found(Object request);

    /**
     * The container's request inside {@code request} when it is the container's own facade
     * (Tomcat's {@code RequestFacade}), else null: wrappers are the walk's business.
     */
    Object facadeOf(Object request);
  }

  private RequestWrappers() {}

  /**
   * What {@code container} finds in {@code request} itself or behind its wrappers and facade, or
   * null: none found within {@link #MAX_DEPTH} steps, or a step failed.
   */
  static Object innermost(Object request, Container container) {
    Object at = request;
    for (int depth = 0; at != null && depth < MAX_DEPTH; depth++) {
      Object found = container.found(at);
      if (found != null) {
        return found;
      }
      Object facaded = container.facadeOf(at);
      at = facaded != null ? facaded : wrapped(at);
    }
    return null;
  }

  /** The request a {@code ServletRequestWrapper} wraps; null for any other class, or a failure. */
  static Object wrapped(Object request) {
    Method getRequest = GET_REQUEST.get(request.getClass());
    if (getRequest == null) {
      return null;
    }
    try {
      return getRequest.invoke(request);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("unwrapping a servlet request failed: " + request.getClass(), failure);
      return null;
    }
  }

  /** {@code getRequest} of a servlet request wrapper, or null for any other class. */
  private static final ClassValue<Method> GET_REQUEST =
      new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
          for (Class<?> at = type; at != null; at = at.getSuperclass()) {
            String name = at.getName();
            if (name.equals("javax.servlet.ServletRequestWrapper")
                || name.equals("jakarta.servlet.ServletRequestWrapper")) {
              try {
                return at.getMethod("getRequest");
              } catch (NoSuchMethodException | RuntimeException | LinkageError unexpected) {
                AgentLog.once(
                    "a servlet request type cannot be unwrapped: " + type.getName(), unexpected);
                return null;
              }
            }
          }
          return null;
        }
      };
}
