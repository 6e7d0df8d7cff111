package io.fastlimit.agent.instrument;

import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/**
 * The jakarta.servlet advice, made from the javax.servlet one by renaming packages in its class
 * file (what Tomcat's own migration tool does to whole applications). One source of advice, no
 * second copy to keep in step.
 */
final class JakartaAdvice {

  static final String NAME = "io.fastlimit.agent.instrument.JakartaServletAdvice";

  private JakartaAdvice() {}

  /** A class file locator holding only the renamed advice class. */
  static ClassFileLocator locator(ClassFileLocator agentClasses) throws java.io.IOException {
    final String from = internal(ServletAdvice.class.getName());
    final String to = internal(NAME);
    byte[] javax = agentClasses.locate(ServletAdvice.class.getName()).resolve();
    ClassReader reader = new ClassReader(javax);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(
        new ClassRemapper(
            writer,
            new Remapper(Opcodes.ASM9) {
              @Override
              public String map(String internalName) {
                if (internalName.equals(from)) {
                  return to;
                }
                if (internalName.startsWith("javax/servlet/")) {
                  return "jakarta/servlet/" + internalName.substring("javax/servlet/".length());
                }
                return internalName;
              }
            }),
        0);
    return ClassFileLocator.Simple.of(NAME, writer.toByteArray());
  }

  private static String internal(String className) {
    return className.replace('.', '/');
  }
}
