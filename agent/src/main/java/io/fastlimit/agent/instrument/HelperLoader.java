package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletEntry;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Defines one of the agent's helper classes beside a server's classes (the servlet API's and
 * Tomcat's helpers, Jetty 12's replaying request): a child of the loader that has the server's
 * types, so the helper links against them as the server does. The helper's class file is read as a
 * resource of the agent's own class loader (JDK only: the launch weave defines helpers before Byte
 * Buddy is ever built); the agent's bootstrap classes come from where the agent has them (the boot
 * class path); every other class (the server's, the JDK's) from the parent.
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
  static Class<?> define(ClassLoader server, String name)
      throws IOException, ClassNotFoundException {
    byte[] code = classFile(name);
    return new HelperLoader(server, name, code).loadClass(name);
  }

  /**
   * The class file of the agent's class {@code name} (its jakarta copies are made at build time).
   */
  static byte[] classFile(String name) throws IOException {
    String path = name.replace('.', '/') + ".class";
    ClassLoader agent = HelperLoader.class.getClassLoader();
    InputStream in =
        agent == null
            ? ClassLoader.getSystemResourceAsStream(path)
            : agent.getResourceAsStream(path);
    if (in == null) {
      throw new FileNotFoundException(path + " is not among the agent's classes");
    }
    try {
      ByteArrayOutputStream read = new ByteArrayOutputStream(16 * 1024);
      byte[] chunk = new byte[8 * 1024];
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        read.write(chunk, 0, n);
      }
      return read.toByteArray();
    } finally {
      in.close();
    }
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
