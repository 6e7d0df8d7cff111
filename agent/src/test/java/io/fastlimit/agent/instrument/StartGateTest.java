package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.http.HttpServlet;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StartGateTest {

  private static final String JETTY = "org/eclipse/jetty/server/Server";
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
  void aClassTheWeaveLeavesWaitsForByteBuddyBuiltOnItsOwnThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> builtOn = new CopyOnWriteArrayList<>();
    StartGate gate =
        new StartGate(
            () -> {
              builtOn.add(Thread.currentThread().getName());
              release.await();
              return byteBuddy;
            });
    CompletableFuture<byte[]> loaded = new CompletableFuture<>();
    Thread application =
        new Thread(() -> loaded.complete(transform(gate, JETTY)), "application-main");
    application.start();
    while (application.getState() != Thread.State.TIMED_WAITING) {
      assertThat(application.isAlive()).as("still loading").isTrue();
      Thread.sleep(1);
    }

    assertThat(loaded).isNotDone();
    release.countDown();

    assertThat(loaded.get(60, TimeUnit.SECONDS)).isEqualTo(INSTRUMENTED);
    assertThat(transform(gate, JETTY)).isEqualTo(INSTRUMENTED);
    assertThat(handedOver).containsExactly(JETTY, JETTY);
    assertThat(builtOn).containsExactly("fastlimit-instrument");
  }

  @Test
  @Timeout(60) // a class no instrumentation wants must not wait: Byte Buddy is never built here
  void classesNoInstrumentationWantsNeverBuildByteBuddy() {
    StartGate gate = new StartGate(neverBuilt(), Long.MAX_VALUE / 2_000_000);

    assertThat(transform(gate, "com/example/Plain")).isNull();
    assertThat(transform(gate, "io/fastlimit/agent/Anything")).isNull();
    assertThat(handedOver).isEmpty();
  }

  @Test
  void aServletIsWovenAtOnceWithoutByteBuddy() throws Exception {
    StartGate gate = new StartGate(neverBuilt(), Long.MAX_VALUE / 2_000_000);

    byte[] woven =
        gate.transform(
            HttpServlet.class.getClassLoader(),
            "javax/servlet/http/HttpServlet",
            null,
            null,
            httpServlet());

    assertThat(new String(woven, StandardCharsets.ISO_8859_1)).contains("fastlimit$service");
    assertThat(handedOver).isEmpty();
  }

  @Test
  void aServletWhoseSuperTypesCannotBeReadIsHandedToByteBuddy() throws Exception {
    StartGate gate = new StartGate(() -> byteBuddy);
    ClassLoader withoutSuperTypes = new ClassLoader(null) {};

    assertThat(
            gate.transform(
                withoutSuperTypes, "com/example/MyServlet", null, null, myServletOfUnknownBase()))
        .isEqualTo(INSTRUMENTED);
    assertThat(handedOver).containsExactly("com/example/MyServlet");
  }

  @Test
  @Timeout(60)
  void theBuildThreadNeverWaitsForItself() throws Exception {
    List<byte[]> seenByTheBuild = new CopyOnWriteArrayList<>();
    StartGate[] gate = new StartGate[1];
    gate[0] =
        new StartGate(
            () -> {
              seenByTheBuild.add(transform(gate[0], JETTY));
              return byteBuddy;
            },
            Long.MAX_VALUE / 2_000_000);

    assertThat(transform(gate[0], JETTY)).isEqualTo(INSTRUMENTED);
    assertThat(seenByTheBuild).containsExactly((byte[]) null);
  }

  @Test
  void aFailedBuildIsLoggedOnceAndLeavesClassesAsTheyWere() {
    AtomicInteger builds = new AtomicInteger();
    StartGate gate =
        new StartGate(
            () -> {
              builds.incrementAndGet();
              throw new IllegalStateException("no Byte Buddy today");
            });

    assertThat(transform(gate, JETTY)).isNull();
    assertThat(transform(gate, JETTY)).isNull();
    assertThat(builds).hasValue(1);
    assertThat(log.text())
        .containsOnlyOnce("could not build its Byte Buddy instrumentation")
        .contains("no Byte Buddy today");
  }

  @Test
  void aFailureInTheTransformerLeavesTheClassAsItWas() {
    StartGate gate =
        new StartGate(
            () ->
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

    assertThat(transform(gate, JETTY)).isNull();
    assertThat(transform(gate, JETTY)).isNull();
  }

  /**
   * spring-web's servlet filters in a WebFlux application: a filter class whose loader has no
   * servlet API can never serve a request. Byte Buddy fails to weave it and rethrows after its
   * listener has looked; the listener stays quiet about it, and so must the gate (a WebFlux start
   * logged an ERROR for {@code OncePerRequestFilter}).
   */
  @Test
  void aFilterWhoseLoaderHasNoServletApiIsLeftQuietly() throws Exception {
    StartGate gate = new StartGate(AgentInstrumentation::prepared);
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

  /** A servlet that extends a class no loader here has. */
  private static byte[] myServletOfUnknownBase() {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(
        Opcodes.V1_8, Opcodes.ACC_PUBLIC, "com/example/MyServlet", null, "com/example/Base", null);
    MethodVisitor method =
        writer.visitMethod(
            Opcodes.ACC_PUBLIC,
            "service",
            "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V",
            null,
            null);
    method.visitCode();
    method.visitInsn(Opcodes.RETURN);
    method.visitMaxs(0, 3);
    method.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static byte[] httpServlet() throws Exception {
    try (InputStream in =
        HttpServlet.class
            .getClassLoader()
            .getResourceAsStream("javax/servlet/http/HttpServlet.class")) {
      return in.readAllBytes();
    }
  }

  private Callable<ClassFileTransformer> neverBuilt() {
    return () -> {
      throw new AssertionError("Byte Buddy was built");
    };
  }

  private static byte[] transform(StartGate gate, String name) {
    return gate.transform(null, name, null, null, CLASS_FILE);
  }
}
