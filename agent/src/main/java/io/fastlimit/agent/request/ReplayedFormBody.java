package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Method;

/**
 * Reads a form field through the agent's replaying request of Jetty 12 ({@code
 * io.fastlimit.agent.instrument.Jetty12FormRequest}, defined beside Jetty where this class cannot
 * name it): its {@code body()} reads the raw body once and replays it to the application, and
 * {@link RawForm} finds the field without choosing a charset for the application.
 */
final class ReplayedFormBody {

  static final String JETTY12 = "io.fastlimit.agent.instrument.Jetty12FormRequest";

  private ReplayedFormBody() {}

  /** Whether {@code request} is the agent's replaying request. */
  static boolean is(Object request) {
    return request != null && BODY.get(request.getClass()) != null;
  }

  /**
   * The first value of field {@code name} of the replaying request's body, or null when absent or
   * when the body was not read (too long, failed, or the application read it first).
   */
  static String field(Object replaying, String name) {
    Method body = BODY.get(replaying.getClass());
    if (body == null) {
      return null;
    }
    try {
      byte[] bytes = (byte[]) body.invoke(replaying);
      return bytes == null ? null : RawForm.field(bytes, bytes.length, name);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError failure) {
      AgentLog.once("reading a form field of a Jetty request failed", failure);
      return null;
    }
  }

  /** Whether the application started to read the body first (then it parsed the form itself). */
  static boolean startedByApplication(Object replaying) {
    try {
      return (Boolean) replaying.getClass().getMethod("startedByApplication").invoke(replaying);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError failure) {
      AgentLog.once("reading the state of a Jetty request failed", failure);
      return false;
    }
  }

  /** The body() method of the replaying request's class; null for any other class. */
  private static final ClassValue<Method> BODY =
      new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
          if (!type.getName().equals(JETTY12)) {
            return null;
          }
          try {
            return type.getMethod("body");
          } catch (NoSuchMethodException | RuntimeException impossible) {
            AgentLog.once("the replaying request has no body()", impossible);
            return null;
          }
        }
      };
}
