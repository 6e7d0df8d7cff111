package io.fastlimit.agent.instrument;

import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * The cheap first decision of the servlet and filter matchers. A class can declare {@code
 * service(ServletRequest, ServletResponse)} or {@code doFilter(ServletRequest, ...)} only if its
 * class file names {@code .../servlet/ServletRequest;} and one of the two methods. Byte Buddy hands
 * each class file to this buffer strategy just before it matches that class, on the same thread;
 * the matcher then turns down nearly every class an application loads by a byte search, where it
 * would otherwise parse each class file into a type description (a third of the agent's cost in a
 * Tomcat start). Classes matched without a class file at hand (already loaded, at install or
 * attach) get the full match, as before.
 */
final class EntryPointPrefilter implements AgentBuilder.ClassFileBufferStrategy {

  private static final byte[] REQUEST = ascii("servlet/ServletRequest;");
  private static final byte[] SERVICE = ascii("service");
  private static final byte[] DO_FILTER = ascii("doFilter");

  /** The class file scanned last on this thread: its name, and whether it may declare one. */
  private final ThreadLocal<Scanned> scanned = new ThreadLocal<>();

  /** False only when the class file cannot declare either entry method. */
  static boolean mayDeclareEntryPoint(byte[] classFile) {
    return indexOf(classFile, REQUEST) >= 0
        && (indexOf(classFile, SERVICE) >= 0 || indexOf(classFile, DO_FILTER) >= 0);
  }

  /**
   * Matches every type but the one whose class file was scanned last on this thread when that file
   * cannot declare an entry method. Needs only the type's name, so it never parses a class file.
   */
  ElementMatcher.Junction<TypeDescription> mayDeclareEntryPoint() {
    return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
      @Override
      public boolean matches(TypeDescription target) {
        Scanned last = scanned.get();
        return last == null || last.mayDeclare || !last.name.equals(target.getName());
      }

      @Override
      public String toString() {
        return "mayDeclareEntryPoint()";
      }
    };
  }

  @Override
  public ClassFileLocator resolve(
      String name,
      byte[] binaryRepresentation,
      ClassLoader classLoader,
      JavaModule module,
      ProtectionDomain protectionDomain) {
    scanned.set(new Scanned(name, mayDeclareEntryPoint(binaryRepresentation)));
    return AgentBuilder.ClassFileBufferStrategy.Default.RETAINING.resolve(
        name, binaryRepresentation, classLoader, module, protectionDomain);
  }

  @Override
  public TypePool typePool(
      AgentBuilder.PoolStrategy poolStrategy,
      ClassFileLocator classFileLocator,
      ClassLoader classLoader,
      String name) {
    return AgentBuilder.ClassFileBufferStrategy.Default.RETAINING.typePool(
        poolStrategy, classFileLocator, classLoader, name);
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    int last = data.length - pattern.length;
    byte first = pattern[0];
    outer:
    for (int i = 0; i <= last; i++) {
      if (data[i] != first) {
        continue;
      }
      for (int j = 1; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static final class Scanned {
    final String name;
    final boolean mayDeclare;

    Scanned(String name, boolean mayDeclare) {
      this.name = name;
      this.mayDeclare = mayDeclare;
    }
  }
}
