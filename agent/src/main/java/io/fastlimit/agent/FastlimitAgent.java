package io.fastlimit.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.jar.JarFile;

/**
 * The -javaagent entry point. Touches only JDK classes: it first appends the bootstrap jar (the
 * bridge the advice calls) to the bootstrap class path, and only then hands over to {@link
 * AgentRuntime}, whose classes refer to the bridge. Nothing here may stop the application: every
 * failure is reported and the application starts without limits.
 */
public final class FastlimitAgent {

  static final String BOOTSTRAP_JAR = "META-INF/fastlimit/bootstrap.jar";
  static final String BRIDGE_CLASS = "io.fastlimit.bootstrap.BridgeHolder";
  static final String BOOTSTRAP_PACKAGE = "io.fastlimit.bootstrap";

  private FastlimitAgent() {}

  /** At the JVM's launch: the agent starts on a thread of its own, beside the application. */
  public static void premain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation, true);
  }

  /** Attached to a running JVM: the agent has started when this returns. */
  public static void agentmain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation, false);
  }

  private static void start(String arguments, Instrumentation instrumentation, boolean launch) {
    try {
      exposeBootstrapToModuleSystems();
      appendBootstrapJar(instrumentation);
      AgentRuntime.start(arguments, instrumentation, launch);
    } catch (Throwable failure) {
      System.err.println(
          "[fastlimit] ERROR the agent could not start; the application runs without rate"
              + " limits: "
              + failure);
      failure.printStackTrace();
    }
  }

  /**
   * JBoss Modules (WildFly, EAP) and OSGi frameworks delegate to the bootstrap class loader only
   * for the packages these properties list; without ours the inlined advice would fail to find the
   * bridge in every module and no request would be limited.
   */
  static void exposeBootstrapToModuleSystems() {
    for (String property :
        new String[] {"jboss.modules.system.pkgs", "org.osgi.framework.bootdelegation"}) {
      String current = System.getProperty(property);
      if (current == null || current.trim().isEmpty()) {
        System.setProperty(property, BOOTSTRAP_PACKAGE);
      } else if (!(',' + current.replace(" ", "") + ',').contains(',' + BOOTSTRAP_PACKAGE + ',')) {
        System.setProperty(property, current + ',' + BOOTSTRAP_PACKAGE);
      }
    }
  }

  private static void appendBootstrapJar(Instrumentation instrumentation) throws IOException {
    if (bridgeVisibleFromBootstrap()) {
      return; // attached a second time: the bridge is already there
    }
    instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(extractBootstrapJar()));
  }

  /** The bootstrap jar embedded in the agent jar, written to a temporary file. */
  static File extractBootstrapJar() throws IOException {
    InputStream embedded =
        FastlimitAgent.class.getClassLoader() == null
            ? null
            : FastlimitAgent.class.getClassLoader().getResourceAsStream(BOOTSTRAP_JAR);
    if (embedded == null) {
      throw new IOException(
          BOOTSTRAP_JAR + " is missing from the agent jar; use the jar that the build produces");
    }
    try (InputStream in = embedded) {
      File directory = new File(System.getProperty("java.io.tmpdir"));
      // not File.createTempFile: it names files with a SecureRandom, whose start (providers,
      // seeding) loaded ~120 JDK classes into the agent's start; a name that exists is skipped
      for (int attempt = 1; ; attempt++) {
        File file =
            new File(
                directory,
                "fastlimit-bootstrap-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)
                    + ".jar");
        try (OutputStream out =
            Files.newOutputStream(
                file.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          file.deleteOnExit();
          copy(in, out);
          return file;
        } catch (FileAlreadyExistsException e) {
          if (attempt == 10) {
            throw e;
          }
        }
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    for (int read; (read = in.read(buffer)) > 0; ) {
      out.write(buffer, 0, read);
    }
  }

  /** The agent's version from the jar manifest. Here because this class needs no bootstrap jar. */
  static String version() {
    String version = FastlimitAgent.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }

  private static boolean bridgeVisibleFromBootstrap() {
    try {
      Class.forName(BRIDGE_CLASS, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
