package io.fastlimit.agent.instrument.netty;

import io.fastlimit.agent.request.AppNames;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
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

  /** A locator holding the given advice classes with the application's names in them. */
  static ClassFileLocator locator(ClassFileLocator agentClasses, Class<?>... advice)
      throws IOException {
    Map<String, byte[]> classes = new HashMap<>();
    for (Class<?> type : advice) {
      classes.put(type.getName(), original(agentClasses.locate(type.getName()).resolve()));
    }
    return new ClassFileLocator.Simple(classes);
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
