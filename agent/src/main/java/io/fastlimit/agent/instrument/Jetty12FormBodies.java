package io.fastlimit.agent.instrument;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.FormBodies;
import java.io.IOException;
import java.lang.reflect.Constructor;

/**
 * Makes the {@link Jetty12FormRequest} that replays a form body on Jetty 12, defined in a class
 * loader of its own whose parent is the one that defined Jetty's core {@code Request} (as {@link
 * ServletHelpers} does for the servlet API): it extends Jetty's {@code Request.Wrapper}, and
 * nothing is added to Jetty's or the application's class loaders. One per Jetty, cached on its
 * request classes ({@link ClassValue}). Any failure: the request goes on unwrapped (its form is
 * then not read), said once.
 */
final class Jetty12FormBodies implements FormBodies.Replays {

  private static final String JETTY_REQUEST = "org.eclipse.jetty.server.Request";

  /**
   * {@link Jetty12FormRequest} by name: a class literal would load it in the agent's own class
   * loader, which cannot see Jetty's {@code Request.Wrapper} wherever Jetty is not on the system
   * class path (a Spring Boot executable jar, the jetty-home distribution), and the form would
   * never be read there.
   */
  static final String FORM_REQUEST = "io.fastlimit.agent.instrument.Jetty12FormRequest";

  private final ClassValue<Constructor<?>> byRequestType;

  Jetty12FormBodies() {
    this.byRequestType =
        new ClassValue<Constructor<?>>() {
          @Override
          protected Constructor<?> computeValue(Class<?> requestType) {
            return define(requestType);
          }
        };
  }

  @Override
  public Object wrap(Object request) {
    try {
      Constructor<?> replaying = byRequestType.get(request.getClass());
      return replaying == null ? request : replaying.newInstance(request);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError failure) {
      AgentLog.once("a Jetty 12 request's form body cannot be replayed", failure);
      return request;
    }
  }

  private static Constructor<?> define(Class<?> requestType) {
    try {
      Class<?> api = Class.forName(JETTY_REQUEST, false, requestType.getClassLoader());
      return HelperLoader.define(api.getClassLoader(), FORM_REQUEST).getConstructor(api);
    } catch (IOException | ReflectiveOperationException | LinkageError | RuntimeException e) {
      AgentLog.once(
          "form fields of Jetty requests (" + requestType.getName() + ") are not read", e);
      return null;
    }
  }
}
