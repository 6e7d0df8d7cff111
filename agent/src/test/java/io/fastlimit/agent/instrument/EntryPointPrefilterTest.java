package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import javax.servlet.Filter;
import javax.servlet.GenericServlet;
import javax.servlet.http.HttpServlet;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

class EntryPointPrefilterTest {

  @Test
  void classFilesOfServletsAndFiltersMayDeclareAnEntryPoint() throws IOException {
    assertThat(EntryPointPrefilter.mayDeclareEntryPoint(classFile(HttpServlet.class))).isTrue();
    assertThat(EntryPointPrefilter.mayDeclareEntryPoint(classFile(GenericServlet.class))).isTrue();
    assertThat(EntryPointPrefilter.mayDeclareEntryPoint(classFile(Filter.class))).isTrue();
  }

  @Test
  void classFilesWithoutServletRequestCannotDeclareAnEntryPoint() throws IOException {
    assertThat(EntryPointPrefilter.mayDeclareEntryPoint(classFile(String.class))).isFalse();
    assertThat(EntryPointPrefilter.mayDeclareEntryPoint(classFile(AgentBuilders.class))).isFalse();
  }

  /** The point of it: a class that cannot be a servlet is turned down without being parsed. */
  @Test
  void matcherTurnsDownAScannedClassWithoutDescribingIt() throws IOException {
    EntryPointPrefilter prefilter = new EntryPointPrefilter();
    TypeDescription unparseable = unresolvable("com.example.Plain");
    assertThatThrownBy(unparseable::getModifiers).isInstanceOf(IllegalStateException.class);

    prefilter.resolve("com.example.Plain", classFile(String.class), null, null, null);

    assertThat(prefilter.mayDeclareEntryPoint().matches(unparseable)).isFalse();
  }

  @Test
  void matcherLeavesEveryOtherClassToTheFullMatch() throws IOException {
    EntryPointPrefilter prefilter = new EntryPointPrefilter();
    ElementMatcher<TypeDescription> matcher = prefilter.mayDeclareEntryPoint();

    // nothing scanned on this thread (a loaded class matched at install or attach)
    assertThat(matcher.matches(unresolvable("com.example.Loaded"))).isTrue();
    // a servlet's class file
    prefilter.resolve("com.example.MyServlet", classFile(HttpServlet.class), null, null, null);
    assertThat(matcher.matches(unresolvable("com.example.MyServlet"))).isTrue();
    // another class than the one scanned last (a class loaded while matching another)
    prefilter.resolve("com.example.Plain", classFile(String.class), null, null, null);
    assertThat(matcher.matches(unresolvable("com.example.Other"))).isTrue();
  }

  /** A type whose name is known and whose class file cannot be found. */
  private static TypeDescription unresolvable(String name) {
    return new TypePool.Default.WithLazyResolution(
            TypePool.CacheProvider.NoOp.INSTANCE,
            ClassFileLocator.NoOp.INSTANCE,
            TypePool.Default.ReaderMode.FAST)
        .describe(name)
        .resolve();
  }

  private static byte[] classFile(Class<?> type) throws IOException {
    String resource = type.getName().replace('.', '/') + ".class";
    ClassLoader loader =
        type.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : type.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }
}
