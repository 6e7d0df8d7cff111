package io.fastlimit.agent.instrument;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.TomcatEntry;
import java.io.IOException;

/**
 * Makes the {@link TomcatHelper} for each Tomcat, found by its connector {@code
 * org.apache.catalina.connector.Request}, defined in a class loader of its own whose parent is the
 * one that defined that class ({@link HelperLoader}), as {@link ServletHelpers} does for the
 * servlet API: the helper links against that Tomcat's classes, and nothing is added to its loaders.
 * One per Tomcat, cached on its request class.
 */
final class TomcatHelpers extends ClassValue<TomcatEntry> {

  // by name: a class literal would load the helper into the agent's own class loader
  private static final String HELPER_NAME = "io.fastlimit.agent.instrument.TomcatHelper";

  @Override
  protected TomcatEntry computeValue(Class<?> requestType) {
    try {
      return (TomcatEntry)
          HelperLoader.define(requestType.getClassLoader(), HELPER_NAME)
              .getConstructor()
              .newInstance();
    } catch (IOException | ReflectiveOperationException | LinkageError | RuntimeException e) {
      AgentLog.once("Tomcat's front door (" + requestType.getName() + ") runs unlimited", e);
      return null;
    }
  }
}
