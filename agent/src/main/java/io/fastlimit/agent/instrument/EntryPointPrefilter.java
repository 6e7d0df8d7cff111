package io.fastlimit.agent.instrument;

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

  /** The class file scanned last on this thread: its name, and what it may be. */
  private final ThreadLocal<Scanned> scanned = new ThreadLocal<>();

  /** False only when the class file cannot declare either entry method. */
  static boolean mayDeclareEntryPoint(byte[] classFile) {
    return EntryPointNames.mayDeclareEntryPoint(classFile);
  }

  /**
   * Matches the type whose class file was scanned last on this thread when {@link EntryPointNames}
   * turns it down: a class no instrumentation can want, ignored before any other matcher runs.
   */
  ElementMatcher.Junction<TypeDescription> notAnEntryPoint() {
    return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
      @Override
      public boolean matches(TypeDescription target) {
        Scanned last = scanned.get();
        return last != null && !last.mayBeInstrumented && last.name.equals(target.getName());
      }

      @Override
      public String toString() {
        return "notAnEntryPoint()";
      }
    };
  }

  /**
   * Matches a class already loaded (at attach, or retransformed) that {@link EntryPointNames} turns
   * down by its name and super types' names: ignored before Byte Buddy describes it.
   */
  static AgentBuilder.RawMatcher loadedNotAnEntryPoint() {
    return new AgentBuilder.RawMatcher() {
      @Override
      public boolean matches(
          TypeDescription typeDescription,
          ClassLoader classLoader,
          JavaModule module,
          Class<?> classBeingRedefined,
          ProtectionDomain protectionDomain) {
        return classBeingRedefined != null
            && !EntryPointNames.mayBeInstrumented(classBeingRedefined);
      }
    };
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
    boolean mayDeclare = mayDeclareEntryPoint(binaryRepresentation);
    scanned.set(
        new Scanned(
            name,
            mayDeclare,
            mayDeclare
                || EntryPointNames.mayBeInstrumented(
                    name.replace('.', '/'), binaryRepresentation)));
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

  private static final class Scanned {
    final String name;
    final boolean mayDeclare;
    final boolean mayBeInstrumented;

    Scanned(String name, boolean mayDeclare, boolean mayBeInstrumented) {
      this.name = name;
      this.mayDeclare = mayDeclare;
      this.mayBeInstrumented = mayBeInstrumented;
    }
  }
}
