package io.fastlimit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's {@code main} class in a JVM of its own, on the tests' class path: for what must not
 * meet the state earlier tests left in theirs (an agent they started, the platform MBean server).
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * The output (stdout and stderr) of {@code main} run with {@code jvmOptions}; asserts that it
   * ended within two minutes, and with exit code 0 unless its output says otherwise.
   */
  public static String run(Class<?> main, String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmOptions));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("ended: %s", output).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    return output;
  }
}
