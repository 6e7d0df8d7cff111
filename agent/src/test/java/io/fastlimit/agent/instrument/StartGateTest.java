package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.servlet.http.HttpServlet;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StartGateTest {

  private static final String FRONT_DOOR = "org/apache/catalina/connector/CoyoteAdapter";
  private static final byte[] CLASS_FILE = {1, 2, 3};
  private static final byte[] INSTRUMENTED = {4, 5, 6};

  private final CapturedLog log = new CapturedLog();
  private final List<String> handedOver = new CopyOnWriteArrayList<>();
  private final ClassFileTransformer byteBuddy =
      new ClassFileTransformer() {
        @Override
        public byte[] transform(
            ClassLoader loader,
            String name,
            Class<?> redefined,
            ProtectionDomain domain,
            byte[] classFile) {
          handedOver.add(name);
          return INSTRUMENTED;
        }
      };

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  @Test
  void aClassLoadedWhileTheStartRunsWaitsAndIsInstrumented() throws Exception {
    StartGate gate = new StartGate();
    CompletableFuture<byte[]> loaded = new CompletableFuture<>();
    Thread application =
        new Thread(() -> loaded.complete(transform(gate, FRONT_DOOR)), "application-main");
    application.start();
    while (application.getState() != Thread.State.TIMED_WAITING) {
      assertThat(application.isAlive()).as("still loading").isTrue();
      Thread.sleep(1);
    }

    assertThat(loaded).isNotDone();
    gate.open(byteBuddy);

    assertThat(loaded.get(60, TimeUnit.SECONDS)).isEqualTo(INSTRUMENTED);
    assertThat(handedOver).containsExactly(FRONT_DOOR);
  }

  @Test
  @Timeout(60) // a class no instrumentation wants must not wait: the gate is never opened here
  void classesNoInstrumentationWantsNeverWait() {
    StartGate gate = new StartGate(Long.MAX_VALUE / 2_000_000);

    assertThat(transform(gate, "com/example/Plain")).isNull();
    assertThat(transform(gate, "io/fastlimit/agent/Anything")).isNull();
    assertThat(handedOver).isEmpty();
  }

  @Test
  @Timeout(60)
  void theStartThreadNeverWaitsForItself() {
    StartGate gate = new StartGate(Long.MAX_VALUE / 2_000_000);
    gate.startsOn(Thread.currentThread());

    assertThat(transform(gate, FRONT_DOOR)).isNull();
  }

  @Test
  void aServletClassFileIsHandedOver() throws Exception {
    StartGate gate = new StartGate();
    gate.open(byteBuddy);

    byte[] servlet;
    try (InputStream in =
        HttpServlet.class
            .getClassLoader()
            .getResourceAsStream("javax/servlet/http/HttpServlet.class")) {
      servlet = in.readAllBytes();
    }

    assertThat(gate.transform(null, "com/example/MyServlet", null, null, servlet))
        .isEqualTo(INSTRUMENTED);
  }

  @Test
  void aFailedStartLeavesClassesAsTheyWere() {
    StartGate gate = new StartGate();
    gate.open(null);

    assertThat(transform(gate, FRONT_DOOR)).isNull();
  }

  @Test
  void aFailureInTheTransformerLeavesTheClassAsItWas() {
    StartGate gate = new StartGate();
    gate.open(
        new ClassFileTransformer() {
          @Override
          public byte[] transform(
              ClassLoader loader,
              String name,
              Class<?> redefined,
              ProtectionDomain domain,
              byte[] classFile) {
            throw new IllegalStateException("broken");
          }
        });

    assertThat(transform(gate, FRONT_DOOR)).isNull();
    assertThat(transform(gate, FRONT_DOOR)).isNull();
  }

  /**
   * spring-web's servlet filters in a WebFlux application: a filter class whose loader has no
   * servlet API can never serve a request. Byte Buddy fails to weave it and rethrows after its
   * listener has looked; the listener stays quiet about it, and so must the gate (a WebFlux start
   * logged an ERROR for {@code OncePerRequestFilter}).
   */
  @Test
  void aFilterWhoseLoaderHasNoServletApiIsLeftQuietly() throws Exception {
    StartGate gate = new StartGate();
    gate.open(AgentInstrumentation.prepared());
    // jakarta.servlet is on neither this loader nor the agent's (the test class path has javax)
    Map<String, byte[]> classes = new HashMap<>();
    classes.put(
        "com/example/LibraryFilterBase.class",
        classFile(
            "com/example/LibraryFilterBase",
            Opcodes.ACC_ABSTRACT,
            "java/lang/Object",
            "jakarta/servlet/Filter"));
    byte[] appFilter = classFile("com/example/AppFilter", 0, "com/example/LibraryFilterBase", null);
    classes.put("com/example/AppFilter.class", appFilter);
    ClassLoader withoutServletApi =
        new ClassLoader(null) {
          @Override
          public InputStream getResourceAsStream(String resource) {
            byte[] found = classes.get(resource);
            return found != null
                ? new ByteArrayInputStream(found)
                : super.getResourceAsStream(resource);
          }
        };

    assertThat(gate.transform(withoutServletApi, "com/example/AppFilter", null, null, appFilter))
        .isNull();
    assertThat(log.text()).doesNotContain("could not instrument");
  }

  /** A class file; one that is not abstract declares a jakarta {@code doFilter}. */
  private static byte[] classFile(
      String name, int modifiers, String superName, String anInterface) {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        Opcodes.V1_8,
        Opcodes.ACC_PUBLIC | modifiers,
        name,
        null,
        superName,
        anInterface == null ? null : new String[] {anInterface});
    if ((modifiers & Opcodes.ACC_ABSTRACT) == 0) {
      MethodVisitor method =
          writer.visitMethod(
              Opcodes.ACC_PUBLIC,
              "doFilter",
              "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;"
                  + "Ljakarta/servlet/FilterChain;)V",
              null,
              null);
      method.visitCode();
      method.visitInsn(Opcodes.RETURN);
      method.visitMaxs(0, 4);
      method.visitEnd();
    }
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static byte[] transform(StartGate gate, String name) {
    return gate.transform(null, name, null, null, CLASS_FILE);
  }
}
