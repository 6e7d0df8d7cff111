package io.fastlimit.agent.instrument;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A build step that spares the agent's start the class Byte Buddy generates for its transformer. On
 * Java 9 and later, the first {@code AgentBuilder.installOn} has Byte Buddy generate, load and
 * inject a subclass of its transformer only to receive each class's {@code Module}: a quarter of
 * the agent's start in CPU and ~240 of its classes. The agent never uses the module (no read edges,
 * no module-based class file location; advice is inlined), so the agent jar ships Byte Buddy's
 * {@code ExecutingTransformer.Factory.CreationAction} rewritten to choose the transformer Byte
 * Buddy itself uses where there are no modules: the JDK then calls the transform method without the
 * module, which Byte Buddy handles as an unknown module.
 *
 * <p>{@code ExecutingTransformerPatch <classes directory>} writes the rewritten class there; the
 * agent jar takes it instead of Byte Buddy's (the shade filter leaves Byte Buddy's out). A Byte
 * Buddy whose factory changed shape fails the build here, not the application.
 */
public final class ExecutingTransformerPatch {

  static final String FACTORY =
      "net/bytebuddy/agent/builder/AgentBuilder$Default$ExecutingTransformer$Factory";
  static final String CREATION_ACTION = FACTORY + "$CreationAction";
  private static final String LEGACY = FACTORY + "$ForLegacyVm";

  private ExecutingTransformerPatch() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ExecutingTransformerPatch <classes directory>");
    }
    File target = new File(args[0], CREATION_ACTION + ".class");
    target.getParentFile().mkdirs();
    Files.write(target.toPath(), patched(original()));
    System.out.println("[fastlimit build] " + target + ": Byte Buddy's module-blind transformer");
  }

  /** The class file as Byte Buddy ships it, read from Byte Buddy's own jar. */
  static byte[] original() throws IOException {
    File jar;
    try {
      jar = new File(ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    try (JarFile file = new JarFile(jar)) {
      ZipEntry entry = file.getEntry(CREATION_ACTION + ".class");
      if (entry == null) {
        throw new IllegalStateException(CREATION_ACTION + " is not in " + jar);
      }
      try (InputStream in = file.getInputStream(entry)) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int read; (read = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, read);
        }
        return out.toByteArray();
      }
    }
  }

  /** {@code run()} reduced to {@code return ForLegacyVm.INSTANCE;}, the rest as it was. */
  static byte[] patched(byte[] original) {
    ClassWriter writer = new ClassWriter(0);
    final boolean[] replaced = {false};
    new ClassReader(original)
        .accept(
            new ClassVisitor(Opcodes.ASM9, writer) {
              @Override
              public MethodVisitor visitMethod(
                  int access,
                  String name,
                  String descriptor,
                  String signature,
                  String[] exceptions) {
                MethodVisitor method =
                    super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!name.equals("run") || !descriptor.equals("()L" + FACTORY + ";")) {
                  return method;
                }
                replaced[0] = true;
                method.visitCode();
                method.visitFieldInsn(Opcodes.GETSTATIC, LEGACY, "INSTANCE", "L" + LEGACY + ";");
                method.visitInsn(Opcodes.ARETURN);
                method.visitMaxs(1, 1);
                method.visitEnd();
                return null; // the original body is dropped
              }
            },
            0);
    if (!replaced[0]) {
      throw new IllegalStateException(
          CREATION_ACTION
              + " has no run() returning the factory: Byte Buddy changed; update "
              + ExecutingTransformerPatch.class.getSimpleName());
    }
    return writer.toByteArray();
  }
}
