package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What installing the call-outs costs the launch: the launch weave calls {@link Callouts#install()}
 * before Byte Buddy is ever built, so it must load none of it, and as few of the agent's classes as
 * it can. Run in a class loader of its own over the test's class path, which records every class
 * the agent's code asks for, so that no class another test loaded hides one.
 */
class CalloutsTest {

  /** Every class asked of it by the classes it defines, the JDK's left to the platform loader. */
  private static final class RecordingLoader extends URLClassLoader {
    final Set<String> asked = ConcurrentHashMap.newKeySet();

    RecordingLoader() throws Exception {
      super(classPath(), ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      asked.add(name);
      return super.loadClass(name, resolve);
    }

    private static URL[] classPath() throws Exception {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        urls.add(new File(entry).toURI().toURL()); // a manifest-only jar brings its Class-Path
      }
      return urls.toArray(new URL[0]);
    }
  }

  private static Object entryFor(RecordingLoader loader, String entryType, String requestType)
      throws Exception {
    return loader
        .loadClass(entryType)
        .getMethod("of", Class.class)
        .invoke(null, loader.loadClass(requestType));
  }

  @Test
  void installingTheCalloutsAndMakingTheirHelpersLoadsNoByteBuddyClass() throws Exception {
    try (RecordingLoader loader = new RecordingLoader()) {
      Class<?> callouts = Class.forName(Callouts.class.getName(), true, loader);

      callouts.getMethod("install").invoke(null);
      callouts.getMethod("install").invoke(null); // again, as the second of two starters
      Object servletEntry =
          entryFor(
              loader,
              "io.fastlimit.bootstrap.ServletEntry",
              "javax.servlet.http.HttpServletRequest");
      Object tomcatEntry =
          entryFor(
              loader,
              "io.fastlimit.bootstrap.TomcatEntry",
              "org.apache.catalina.connector.Request");

      assertThat(servletEntry.getClass().getName()).isEqualTo(ServletHelper.class.getName());
      assertThat(tomcatEntry.getClass().getName()).isEqualTo(TomcatHelper.class.getName());
      assertThat(loader.asked).isNotEmpty().noneMatch(name -> name.startsWith("net.bytebuddy."));
      assertThat(loader.asked)
          .filteredOn(name -> name.startsWith("io.fastlimit.agent."))
          .containsExactlyInAnyOrder(
              Callouts.class.getName(),
              ServletHelpers.class.getName(),
              TomcatHelpers.class.getName(),
              HelperLoader.class.getName());
    }
  }
}
