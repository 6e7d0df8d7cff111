package io.fastlimit.agent.instrument.netty;

import io.fastlimit.agent.request.AppNames;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/**
 * The Netty advice as the application must see it. The agent jar relocates Netty, Reactor and
 * Reactive Streams (its own copies, for Lettuce), and the shade plugin renames the advice's
 * references to them along with everything else; the advice is inlined into the application's
 * Netty, so here its class files get the original names back ({@link AppNames}).
 */
final class AppNettyAdvice {

  private AppNettyAdvice() {}

  /**
   * A locator holding the named advice classes with the application's names in them, each read and
   * renamed when it is first asked for: only an application on one of these servers needs them.
   */
  static ClassFileLocator locator(ClassFileLocator agentClasses, String... advice) {
    return new Renaming(agentClasses, new HashSet<>(Arrays.asList(advice)));
  }

  /** The advice class files renamed at their first look-up, then kept. */
  private static final class Renaming implements ClassFileLocator {
    private final ClassFileLocator agentClasses;
    private final Set<String> advice;
    private final Map<String, byte[]> renamed = new ConcurrentHashMap<>();

    Renaming(ClassFileLocator agentClasses, Set<String> advice) {
      this.agentClasses = agentClasses;
      this.advice = advice;
    }

    @Override
    public Resolution locate(String name) throws IOException {
      if (!advice.contains(name)) {
        return new Resolution.Illegal(name);
      }
      byte[] classFile = renamed.get(name);
      if (classFile == null) {
        // two threads may both rename it, with the same result
        classFile = original(agentClasses.locate(name).resolve());
        renamed.put(name, classFile);
      }
      return new Resolution.Explicit(classFile);
    }

    @Override
    public void close() {}
  }

  static byte[] original(byte[] classFile) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(classFile)
        .accept(
            new ClassRemapper(
                writer,
                new Remapper(Opcodes.ASM9) {
                  @Override
                  public String map(String internalName) {
                    return AppNames.original(internalName);
                  }
                }),
            0);
    return writer.toByteArray();
  }
}
