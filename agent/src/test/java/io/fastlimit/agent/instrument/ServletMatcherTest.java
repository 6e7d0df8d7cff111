package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.servlet.http.HttpServlet;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import org.junit.jupiter.api.Test;

class ServletMatcherTest {

  /**
   * At attach every loaded class is matched as a loaded class: asking for its methods loads every
   * type they name (and fails when one is missing), so the type hierarchy is asked first.
   */
  @Test
  void loadedClassThatIsNoServletIsTurnedDownWithoutReadingItsMethods() {
    Class<?> broken = classWhoseMethodsCannotBeRead();
    assertThatThrownBy(broken::getDeclaredMethods).isInstanceOf(NoClassDefFoundError.class);

    boolean matched =
        ServletInstrumentation.implementations("javax.servlet", new EntryPointPrefilter())
            .matches(TypeDescription.ForLoadedType.of(broken));

    assertThat(matched).isFalse();
  }

  @Test
  void onlyTheAgentsOwnPackagesAreIgnoredNotAnAppUnderIoFastlimit() {
    assertThat(ServletInstrumentation.IGNORED.matches(type("io.fastlimit.agent.limit.X"))).isTrue();
    assertThat(ServletInstrumentation.IGNORED.matches(type("io.fastlimit.bootstrap.Y"))).isTrue();
    assertThat(ServletInstrumentation.IGNORED.matches(type("java.lang.Z"))).isTrue();
    assertThat(ServletInstrumentation.IGNORED.matches(type("io.fastlimit.sample.LoginFilter")))
        .isFalse();
  }

  private static TypeDescription type(String name) {
    return new TypeDescription.Latent(
        name, 0, TypeDescription.Generic.OfNonGenericType.ForLoadedType.of(Object.class));
  }

  @Test
  void loadedServletIsMatched() {
    assertThat(
            ServletInstrumentation.implementations("javax.servlet", new EntryPointPrefilter())
                .matches(TypeDescription.ForLoadedType.of(HttpServlet.class)))
        .isTrue();
  }

  /** A class with a method taking a type that no class loader has. */
  private static Class<?> classWhoseMethodsCannotBeRead() {
    // made, never loaded: no class loader has it
    TypeDescription missing =
        new ByteBuddy()
            .subclass(Object.class)
            .name("com.example.Missing")
            .make()
            .getTypeDescription();
    return new ByteBuddy()
        .subclass(Object.class)
        .name("com.example.UsesMissing")
        .defineMethod("service", String.class, Visibility.PUBLIC)
        .withParameters(missing)
        .intercept(FixedValue.value("x"))
        .make()
        .load(ServletMatcherTest.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
        .getLoaded();
  }
}
