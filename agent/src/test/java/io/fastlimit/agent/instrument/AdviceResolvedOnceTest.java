package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.GenericServlet;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import org.junit.jupiter.api.Test;

/**
 * The servlet advice is read and resolved once per class loader, not once for every servlet and
 * filter it is woven into: resolving it (parsing the advice class files, building the dispatchers)
 * was a fifth of an attach.
 */
class AdviceResolvedOnceTest {

  /** Counts how often the advice's class files are read. */
  private static final class CountingLocator implements ClassFileLocator {
    private final ClassFileLocator delegate;
    final AtomicInteger adviceReads = new AtomicInteger();

    CountingLocator(ClassFileLocator delegate) {
      this.delegate = delegate;
    }

    @Override
    public Resolution locate(String name) throws IOException {
      if (name.equals(ServletApiAdvice.class.getName())) {
        adviceReads.incrementAndGet();
      }
      return delegate.locate(name);
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  public static class OneServlet extends GenericServlet {
    @Override
    public void service(ServletRequest request, ServletResponse response) {}
  }

  public static class OneFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {}
  }

  public static class OtherServlet extends GenericServlet {
    @Override
    public void service(ServletRequest request, ServletResponse response) {}
  }

  @Test
  void adviceIsReadOnceForEveryServletAndFilterOfALoader() throws Exception {
    CountingLocator adviceClasses = new CountingLocator(ServletInstrumentation.adviceClasses());
    AgentBuilder.Transformer transformer =
        ServletInstrumentation.javaxAdvice(new ResolvedAdvice.Source(adviceClasses));

    assertThat(woven(transformer, OneServlet.class)).isTrue();
    int readsForTheFirst = adviceReads(adviceClasses);
    assertThat(readsForTheFirst).isPositive();

    assertThat(woven(transformer, OneFilter.class)).isTrue();
    assertThat(woven(transformer, OtherServlet.class)).isTrue();
    assertThat(adviceReads(adviceClasses)).isEqualTo(readsForTheFirst);
  }

  private static int adviceReads(CountingLocator locator) {
    return locator.adviceReads.get();
  }

  /** Applies the transformer to the class and says whether the advice's code is in the result. */
  private static boolean woven(AgentBuilder.Transformer transformer, Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    byte[] bytes =
        transformer
            .transform(
                new ByteBuddy().redefine(type, ClassFileLocator.ForClassLoader.of(loader)),
                TypeDescription.ForLoadedType.of(type),
                loader,
                null,
                null)
            .make()
            .getBytes();
    return contains(bytes, "io/fastlimit/bootstrap/ServletCallout");
  }

  private static boolean contains(byte[] bytes, String text) {
    byte[] wanted = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + wanted.length <= bytes.length; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (bytes[i + j] != wanted[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
