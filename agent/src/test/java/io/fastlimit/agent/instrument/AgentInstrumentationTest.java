package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.servlet.GenericServlet;
import javax.servlet.http.HttpServlet;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

class AgentInstrumentationTest {

  /**
   * At attach the loaded classes are first turned down by their names and super types' names; the
   * entry points among them must still be retransformed.
   */
  @Test
  void attachRetransformsTheLoadedEntryPointsOnly() throws Exception {
    List<Class<?>> retransformed = new ArrayList<>();
    Instrumentation instrumentation =
        instrumentation(
            new ArrayList<>(),
            retransformed,
            HttpServlet.class,
            GenericServlet.class,
            String.class,
            ArrayList.class);

    AgentInstrumentation.install(instrumentation);

    assertThat(retransformed).containsExactly(HttpServlet.class);
  }

  /**
   * Each transformer is called by the JVM for every class it loads, and each makes its own pass
   * over the loaded classes at attach: the servlet, Netty and Vert.x advice share one.
   */
  @Test
  void everyInstrumentationSharesOneTransformer() throws Exception {
    List<ClassFileTransformer> added = new ArrayList<>();
    AgentInstrumentation.install(instrumentation(added, new ArrayList<>()));

    assertThat(added).hasSize(1);
  }

  /**
   * The Netty and Vert.x types go through the one builder and its ignore list: a class named as an
   * instrumentation names it is woven, one of another name is not.
   */
  @Test
  void theOneBuilderWeavesTheNettyAndVertxEntryPoints() throws Exception {
    ClassFileTransformer transformer = AgentInstrumentation.builder().makeRaw();
    ClassLoader loader = getClass().getClassLoader();

    assertThat(
            transform(transformer, loader, "reactor/netty/channel/ChannelOperations", "terminate"))
        .isNotNull();
    assertThat(
            transform(
                transformer,
                loader,
                "io/vertx/core/http/impl/Http1xServerConnection",
                "responseComplete"))
        .isNotNull();
    assertThat(transform(transformer, loader, "reactor/netty/channel/Other", "terminate")).isNull();
  }

  /** A class of this name declaring {@code void method()} and a field responseInProgress. */
  private static byte[] transform(
      ClassFileTransformer transformer, ClassLoader loader, String name, String method)
      throws Exception {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, name, null, "java/lang/Object", null);
    writer.visitField(Opcodes.ACC_PRIVATE, "responseInProgress", "Ljava/lang/Object;", null, null);
    MethodVisitor body = writer.visitMethod(Opcodes.ACC_PUBLIC, method, "()V", null, null);
    body.visitCode();
    body.visitInsn(Opcodes.RETURN);
    body.visitMaxs(0, 1);
    body.visitEnd();
    writer.visitEnd();
    return transformer.transform(loader, name, null, null, writer.toByteArray());
  }

  private Instrumentation instrumentation(
      List<ClassFileTransformer> added, List<Class<?>> retransformed, Class<?>... loaded) {
    return (Instrumentation)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Instrumentation.class},
            (proxy, method, arguments) -> {
              switch (method.getName()) {
                case "addTransformer":
                  added.add((ClassFileTransformer) arguments[0]);
                  return null;
                case "isRetransformClassesSupported":
                case "isModifiableClass":
                  return true;
                case "getAllLoadedClasses":
                  return loaded;
                case "retransformClasses":
                  retransformed.addAll(Arrays.asList((Class<?>[]) arguments[0]));
                  return null;
                default:
                  return method.getReturnType() == boolean.class ? false : null;
              }
            });
  }
}
