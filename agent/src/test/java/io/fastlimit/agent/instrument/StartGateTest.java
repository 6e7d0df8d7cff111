package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.servlet.http.HttpServlet;
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
  void aFailureInTheTransformerLeavesTheClassAndIsLoggedOnce() {
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

    assertThat(log.text())
        .contains("could not instrument org.apache.catalina.connector.CoyoteAdapter")
        .containsOnlyOnce("IllegalStateException: broken");
  }

  private static byte[] transform(StartGate gate, String name) {
    return gate.transform(null, name, null, null, CLASS_FILE);
  }
}
