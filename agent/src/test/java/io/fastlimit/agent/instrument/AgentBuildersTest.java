package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import net.bytebuddy.agent.builder.AgentBuilder;
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
