package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.Test;

class ExecutingTransformerPatchTest {

  /**
   * On Java 9 and later Byte Buddy's own factory generates and loads a subclass of its transformer
   * at the first install; the agent's build ships a factory that does not. Checked in a class
   * loader of its own, the agent's classes first as in the agent jar, so the factory is made here.
   */
  @Test
  void theTransformerFactoryGeneratesNoClass() throws Exception {
    try (URLClassLoader fresh =
        new URLClassLoader(
            new URL[] {location(ExecutingTransformerPatch.class), location(AgentBuilder.class)},
            ClassLoader.getPlatformClassLoader())) {
      Class<?> transformer =
          Class.forName(
              AgentBuilder.Default.class.getName() + "$ExecutingTransformer", true, fresh);
      Field factory = transformer.getDeclaredField("FACTORY");
      factory.setAccessible(true);

      assertThat(factory.get(null).getClass().getName())
          .isEqualTo(
              AgentBuilder.Default.class.getName() + "$ExecutingTransformer$Factory$ForLegacyVm");
      assertThatThrownBy(
              () -> Class.forName(transformer.getName() + "$ByteBuddy$ModuleSupport", false, fresh))
          .isInstanceOf(ClassNotFoundException.class);
    }
  }

  @Test
  void patchFailsTheBuildWhenByteBuddysFactoryChangedShape() throws Exception {
    byte[] notTheFactory;
    try (InputStream in =
        getClass().getResourceAsStream(EntryPointPrefilter.class.getSimpleName() + ".class")) {
      notTheFactory = in.readAllBytes();
    }

    assertThatThrownBy(() -> ExecutingTransformerPatch.patched(notTheFactory))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Byte Buddy changed");
  }

  @Test
  void patchOfByteBuddysFactoryKeepsItsName() throws Exception {
    byte[] patched = ExecutingTransformerPatch.patched(ExecutingTransformerPatch.original());

    assertThat(new ClassReader(patched).getClassName())
        .isEqualTo(ExecutingTransformerPatch.CREATION_ACTION);
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
