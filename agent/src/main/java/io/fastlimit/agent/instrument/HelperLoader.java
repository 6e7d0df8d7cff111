package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletEntry;
import java.io.IOException;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * Defines one of the agent's helper classes beside a server's classes (the servlet API's helper,
 * Jetty 12's replaying request): a child of the loader that has the server's types, so the helper
 * links against them as the server does. The agent's bootstrap classes come from where the agent
 * has them (the boot class path); every other class (the server's, the JDK's) from the parent.
 */
final class HelperLoader extends ClassLoader {
  private final String helperName;
  private final byte[] code;

  private HelperLoader(ClassLoader server, String helperName, byte[] code) {
    super(server);
    this.helperName = helperName;
    this.code = code;
  }

  /**
   * The helper {@code name}, read from the agent's class files and defined beside {@code server}.
   */
  static Class<?> define(ClassLoader server, ClassFileLocator agentClasses, String name)
      throws IOException, ClassNotFoundException {
    byte[] code = agentClasses.locate(name).resolve();
    return new HelperLoader(server, name, code).loadClass(name);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      if (name.equals(helperName)) {
        Class<?> helper = findLoadedClass(name);
        return helper != null ? helper : defineClass(name, code, 0, code.length);
      }
      if (name.startsWith("io.fastlimit.bootstrap.")) {
        return Class.forName(name, false, ServletEntry.class.getClassLoader());
      }
      return super.loadClass(name, resolve);
    }
  }
}
