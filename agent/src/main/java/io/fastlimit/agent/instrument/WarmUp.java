package io.fastlimit.agent.instrument;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Runs the agent's transformer once on a servlet of each servlet API, made here with empty
 * stand-ins for the API, before the application's first class reaches it: the first transformation
 * loads and runs cold ~400 Byte Buddy classes (class file parsing, matching, advice resolution and
 * inlining), which otherwise happened on the application's thread as it loaded its first servlet or
 * front door. Nothing made here is ever defined as a class; the stand-ins are seen only by a class
 * loader of this warm-up's own, which nothing keeps.
 */
final class WarmUp {

  private static final String PACKAGE = "fastlimit/warmup/";

  private WarmUp() {}

  /** Transforms the warm-up servlets; true when each was woven, as an application's would be. */
  static boolean run(ClassFileTransformer transformer) throws IllegalClassFormatException {
    StandIns loader = new StandIns(WarmUp.class.getClassLoader());
    boolean woven = true;
    for (String servletPackage : new String[] {"javax/servlet/", "jakarta/servlet/"}) {
      String name = PACKAGE + servletPackage.replace('/', '_') + "Servlet";
      byte[] servlet = servlet(name, servletPackage);
      woven &= transformer.transform(loader, name, null, null, servlet) != null;
    }
    return woven;
  }

  /** A servlet that declares service(ServletRequest, ServletResponse) and does nothing. */
  private static byte[] servlet(String name, String servletPackage) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        Opcodes.V1_8,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER,
        name,
        null,
        "java/lang/Object",
        new String[] {servletPackage + "Servlet"});
    MethodVisitor constructor = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    constructor.visitCode();
    constructor.visitVarInsn(Opcodes.ALOAD, 0);
    constructor.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    constructor.visitInsn(Opcodes.RETURN);
    constructor.visitMaxs(1, 1);
    constructor.visitEnd();
    MethodVisitor service =
        writer.visitMethod(
            Opcodes.ACC_PUBLIC,
            "service",
            "(L" + servletPackage + "ServletRequest;L" + servletPackage + "ServletResponse;)V",
            null,
            null);
    service.visitCode();
    service.visitInsn(Opcodes.RETURN);
    service.visitMaxs(0, 3);
    service.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** An empty public interface: what the warm-up needs of each servlet API type. */
  private static byte[] standIn(String name) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        Opcodes.V1_8,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT,
        name,
        null,
        "java/lang/Object",
        null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** Answers the class files of both servlet APIs with stand-ins; the rest from the agent's. */
  private static final class StandIns extends ClassLoader {
    StandIns(ClassLoader parent) {
      super(parent);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      if ((name.startsWith("javax/servlet/") || name.startsWith("jakarta/servlet/"))
          && name.endsWith(".class")) {
        return new ByteArrayInputStream(
            standIn(name.substring(0, name.length() - ".class".length())));
      }
      return super.getResourceAsStream(name);
    }
  }
}
