package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.servlet.GenericServlet;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

class AgentBuildersTest {

  /**
   * Byte Buddy's default builder prepares its Nexus (injects a class into the system class loader
   * through generated accessors): a third of the agent's start, for self-initialising types the
   * agent never makes. Checked in a class loader of its own, so no other test's builder counts.
   */
  @Test
  void builderDoesNotPrepareTheNexus() throws Exception {
    try (URLClassLoader fresh = isolated()) {
      Class<?> builders = Class.forName(AgentBuilders.class.getName(), true, fresh);
      Method create = builders.getDeclaredMethod("create");
      create.setAccessible(true); // package-private, and this loader's package is another one
      Object builder = create.invoke(null);
      Class<?> nexusAccessor = Class.forName("net.bytebuddy.dynamic.NexusAccessor", false, fresh);

      assertThat(builder.getClass().getName()).isEqualTo(AgentBuilder.Default.class.getName());
      assertThat(nexusAccessor.getMethod("isAlive").invoke(null)).isEqualTo(false);
      assertThat(System.getProperty("net.bytebuddy.nexus.disabled")).isNull();
    }
  }

  public static class WovenServlet extends GenericServlet {
    @Override
    public void service(ServletRequest request, ServletResponse response) {}
  }

  /** Records the names of the class files read. */
  private static final class RecordingLocator implements ClassFileLocator {
    final List<String> read = new ArrayList<>();
    private final ClassFileLocator delegate =
        ClassFileLocator.ForClassLoader.of(AgentBuildersTest.class.getClassLoader());

    @Override
    public Resolution locate(String name) throws IOException {
      read.add(name);
      return delegate.locate(name);
    }

    @Override
    public void close() {}
  }

  /**
   * The advice goes on methods the class declares, so weaving it needs no super type: Byte Buddy's
   * default method graph reads the whole hierarchy of every class it transforms (a tenth of an
   * attach), only to be told what the class's own methods already say.
   */
  @Test
  void weavingTheAdviceReadsNoSuperTypeOfTheClass() throws Exception {
    RecordingLocator classFiles = new RecordingLocator();
    // described lazily, as the agent's builder does
    TypeDescription servlet =
        new TypePool.Default.WithLazyResolution(
                TypePool.CacheProvider.Simple.withObjectType(),
                classFiles,
                TypePool.Default.ReaderMode.FAST)
            .describe(WovenServlet.class.getName())
            .resolve();
    AgentBuilder.Transformer advice =
        ServletInstrumentation.javaxAdvice(
            new ResolvedAdvice.Source(ServletInstrumentation.adviceClasses()));

    byte[] woven =
        advice
            .transform(
                AgentBuilders.byteBuddy().decorate(servlet, classFiles),
                servlet,
                WovenServlet.class.getClassLoader(),
                null,
                null)
            .make()
            .getBytes();

    assertThat(new String(woven, StandardCharsets.ISO_8859_1))
        .contains("io/fastlimit/bootstrap/ServletCallout");
    assertThat(classFiles.read).doesNotContain(GenericServlet.class.getName());
  }

  /** Byte Buddy and the agent's classes, loaded anew, beside the JDK only. */
  static URLClassLoader isolated() {
    return new URLClassLoader(
        new URL[] {
          location(AgentBuilder.class), location(AgentBuilders.class),
        },
        ClassLoader.getPlatformClassLoader());
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
