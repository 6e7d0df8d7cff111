package io.fastlimit.agent.instrument;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.FrontDoor;
import java.lang.reflect.Method;

/**
 * Reads the status and headers of Jetty 12's core {@code org.eclipse.jetty.server.Response} when a
 * front-door verdict's request completes ({@link FrontDoor#completion}), through the interface's
 * public methods, found once per class: the agent's classes cannot see Jetty's.
 */
final class CoreResponses implements FrontDoor.Responses {

  private static final String JETTY_RESPONSE = "org.eclipse.jetty.server.Response";

  private static final ClassValue<Method[]> METHODS =
      new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
          Class<?> api = implemented(type);
          if (api == null) {
            return null;
          }
          try {
            Method headers = api.getMethod("getHeaders");
            return new Method[] {
              api.getMethod("getStatus"),
              headers,
              headers.getReturnType().getMethod("get", String.class)
            };
          } catch (NoSuchMethodException | RuntimeException unknown) {
            AgentLog.once("a server's response type cannot be read: " + type.getName(), unknown);
            return null;
          }
        }
      };

  @Override
  public int status(Object response) {
    Object status = call(response, 0, null);
    return status instanceof Integer ? (Integer) status : 0;
  }

  @Override
  public String header(Object response, String name) {
    Object value = call(response, 1, name);
    return value == null ? null : value.toString();
  }

  /** {@code which} 0: the status; 1: the header's first value. */
  private static Object call(Object response, int which, String name) {
    Method[] methods = response == null ? null : METHODS.get(response.getClass());
    if (methods == null) {
      return null;
    }
    try {
      if (which == 0) {
        return methods[0].invoke(response);
      }
      Object headers = methods[1].invoke(response);
      return headers == null ? null : methods[2].invoke(headers, name);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading a server's response at completion failed", failure);
      return null;
    }
  }

  private static Class<?> implemented(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> candidate : at.getInterfaces()) {
        Class<?> found = find(candidate);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> find(Class<?> candidate) {
    if (candidate.getName().equals(JETTY_RESPONSE)) {
      return candidate;
    }
    for (Class<?> parent : candidate.getInterfaces()) {
      Class<?> found = find(parent);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
