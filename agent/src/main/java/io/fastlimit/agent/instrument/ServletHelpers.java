package io.fastlimit.agent.instrument;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.ServletEntry;
import java.io.IOException;

/**
 * Makes the {@link ServletHelper} for each servlet API the application's classes use, found by that
 * API's {@code HttpServletRequest}: javax or jakarta (renamed at build time, {@link
 * JakartaAdvice}), defined in a class loader of its own whose parent is the one that defined the
 * API ({@link HelperLoader}). So the helper sees exactly the servlet types of the requests it is
 * handed, and nothing is added to the application's class loaders (a WildFly module or an OSGi
 * bundle would not find it there). One per API copy, cached on its class ({@link ClassValue}:
 * nothing keeps an undeployed application's loader alive).
 */
final class ServletHelpers extends ClassValue<ServletEntry> {

  // by name: a class literal would load the helper into the agent's own class loader
  private static final String HELPER_NAME = "io.fastlimit.agent.instrument.ServletHelper";

  @Override
  protected ServletEntry computeValue(Class<?> requestType) {
    String name =
        requestType.getName().startsWith("jakarta.") ? JakartaAdvice.HELPER_NAME : HELPER_NAME;
    try {
      return (ServletEntry)
          HelperLoader.define(requestType.getClassLoader(), name).getConstructor().newInstance();
    } catch (IOException | ReflectiveOperationException | LinkageError | RuntimeException e) {
      AgentLog.once("servlet requests of " + requestType.getName() + " run unlimited", e);
      return null;
    }
  }
}
