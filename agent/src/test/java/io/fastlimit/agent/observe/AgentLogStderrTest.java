package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Which stderr the agent's lines go to. Each case loads AgentLog afresh, in a class loader of its
 * own, so that it is the first use in a JVM, as in an application starting with the agent.
 */
class AgentLogStderrTest {

  /**
   * Vert.x swaps System.err for a stream it throws away while it looks for SLF4J, on the
   * application's main thread, while the agent's start thread loads the rules and logs its first
   * line. Taken then, the agent's stderr was that stream for the JVM's life: no line of the agent
   * was ever seen (a reload test waited in vain for "reloaded").
   */
  @Test
  void theLinesGoToTheStderrTheAgentStartedWithThoughTheApplicationSwapsItForAMoment()
      throws Exception {
    ByteArrayOutputStream jvm = new ByteArrayOutputStream();
    ByteArrayOutputStream swapped = new ByteArrayOutputStream();
    PrintStream original = System.err;
    try (URLClassLoader agent = freshAgentClasses()) {
      Class<?> log = Class.forName(AgentLog.class.getName(), false, agent);
      System.setErr(new PrintStream(jvm, true, "UTF-8"));
      log.getMethod("takeStderr").invoke(null); // premain, before the application runs

      System.setErr(new PrintStream(swapped, true, "UTF-8")); // the application, for a moment
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread start =
          new Thread(
              () -> {
                try {
                  log.getMethod("info", String.class).invoke(null, "metrics at http://127.0.0.1/");
                } catch (ReflectiveOperationException | RuntimeException e) {
                  failure.set(e);
                }
              },
              "fastlimit-start");
      start.start();
      start.join();
      assertThat(failure.get()).isNull();
    } finally {
      System.setErr(original);
    }

    assertThat(jvm.toString(StandardCharsets.UTF_8))
        .isEqualTo("[fastlimit] metrics at http://127.0.0.1/" + System.lineSeparator());
    assertThat(swapped.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /** The agent's classes in a loader that does not ask the test's loader for them. */
  private static URLClassLoader freshAgentClasses() {
    URL classes = AgentLog.class.getProtectionDomain().getCodeSource().getLocation();
    return new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
  }
}
