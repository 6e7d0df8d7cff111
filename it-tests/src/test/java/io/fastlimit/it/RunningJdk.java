package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which JDK a started app really runs on: the executables of its process and of the processes it
 * forked (catalina.sh, Jetty's start.jar with {@code --exec}, Liberty's server script).
 */
final class RunningJdk {

  private RunningJdk() {}

  /** Fails unless the app's process, or one it forked, runs {@code javaHome}'s java. */
  static void assertRunsOn(ChildApp app, Path javaHome) throws IOException {
    Path expected = AppServers.java(javaHome).toRealPath();
    ProcessHandle process = ProcessHandle.of(app.pid()).orElseThrow();
    List<Path> executables =
        Stream.concat(Stream.of(process), process.descendants())
            .map(handle -> handle.info().command())
            .flatMap(command -> command.stream())
            .map(Paths::get)
            .toList();
    assertThat(executables).as("the executables the app runs").contains(expected);
  }
}
