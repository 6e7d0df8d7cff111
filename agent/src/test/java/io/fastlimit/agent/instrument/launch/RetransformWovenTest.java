package io.fastlimit.agent.instrument.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.instrument.StartGate;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * A class the gate wove at its definition, retransformed as a profiler or another agent would: the
 * JVM hands the gate the original class file again and refuses the result unless it has the same
 * methods, so the gate must weave it again, the same way.
 */
class RetransformWovenTest {

  /** Outside the agent's packages, which the gate never instruments. */
  private static final String SERVLET = "com.example.RetransformedServlet";

  @Test
  void aWovenServletIsWovenAgainWhenRetransformed() throws Exception {
    Instrumentation instrumentation = ByteBuddyAgent.install();
    ChildFirst loader = new ChildFirst();
    StartGate gate =
        new StartGate(
            () -> {
              throw new AssertionError("Byte Buddy was built");
            });
    List<String> seen = new ArrayList<>();
    // only this test's loader reaches the gate: other classes loaded meanwhile stay as they are
    ClassFileTransformer onlyThisLoader =
        new ClassFileTransformer() {
          @Override
          public byte[] transform(
              ClassLoader from,
              String name,
              Class<?> redefined,
              ProtectionDomain domain,
              byte[] classFile) {
            if (from != loader) {
              return null;
            }
            seen.add(name + (redefined == null ? " defined" : " retransformed"));
            return gate.transform(from, name, redefined, domain, classFile);
          }
        };
    instrumentation.addTransformer(onlyThisLoader, true);
    try {
      Class<?> servlet = Class.forName(SERVLET, true, loader);
      assertThat(servlet.getDeclaredMethod("fastlimit$service", parameters())).isNotNull();

      instrumentation.retransformClasses(servlet);

      assertThat(servlet.getDeclaredMethod("fastlimit$service", parameters())).isNotNull();
      String internal = SERVLET.replace('.', '/');
      assertThat(seen).containsExactly(internal + " defined", internal + " retransformed");
    } finally {
      instrumentation.removeTransformer(onlyThisLoader);
    }
  }

  private static Class<?>[] parameters() {
    return new Class<?>[] {javax.servlet.ServletRequest.class, javax.servlet.ServletResponse.class};
  }

  /** A GenericServlet whose service returns at once. */
  private static byte[] servlet(String name) {
    ClassWriter writer = new ClassWriter(0);
    String base = "javax/servlet/GenericServlet";
    writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, base, null);
    MethodVisitor constructor = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    constructor.visitCode();
    constructor.visitVarInsn(Opcodes.ALOAD, 0);
    constructor.visitMethodInsn(Opcodes.INVOKESPECIAL, base, "<init>", "()V", false);
    constructor.visitInsn(Opcodes.RETURN);
    constructor.visitMaxs(1, 1);
    constructor.visitEnd();
    MethodVisitor service =
        writer.visitMethod(
            Opcodes.ACC_PUBLIC,
            "service",
            "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V",
            null,
            null);
    service.visitCode();
    service.visitInsn(Opcodes.RETURN);
    service.visitMaxs(0, 3);
    service.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** Defines the servlet itself, made here; the rest from its parent. */
  private static final class ChildFirst extends ClassLoader {
    ChildFirst() {
      super(RetransformWovenTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (!name.equals(SERVLET)) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded != null) {
          return loaded;
        }
        byte[] classFile = servlet(name.replace('.', '/'));
        return defineClass(name, classFile, 0, classFile.length);
      }
    }
  }
}
