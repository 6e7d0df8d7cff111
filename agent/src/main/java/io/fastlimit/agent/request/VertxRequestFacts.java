package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;

/**
 * Reads a Vert.x server request ({@code io.vertx.core.http.HttpServerRequest}, Vert.x 4.5 and 5):
 * headers from {@code headers().get(name)}, the raw target from {@code uri()}. Reflective, through
 * the public interface's methods found once per request class: the agent's classes cannot see the
 * application's Vert.x.
 */
final class VertxRequestFacts extends HeaderMapRequestFacts {

  private static final String VERTX_REQUEST = "io.vertx.core.http.HttpServerRequest";

  private VertxRequestFacts(Class<?> request) throws NoSuchMethodException {
    super("Vert.x", request.getMethod("headers"), request.getMethod("uri"));
  }

  /** The reader for a Vert.x server request class, else null. */
  static RequestFacts forType(Class<?> type) {
    Class<?> request = implemented(type);
    if (request == null) {
      return null;
    }
    try {
      return new VertxRequestFacts(request);
    } catch (NoSuchMethodException | RuntimeException notVertx) {
      AgentLog.once("a Vert.x request type cannot be read: " + type.getName(), notVertx);
      return null;
    }
  }

  private static Class<?> implemented(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        if (implemented.getName().equals(VERTX_REQUEST)) {
          return implemented;
        }
      }
    }
    return null;
  }
}
