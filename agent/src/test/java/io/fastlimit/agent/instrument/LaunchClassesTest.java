package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.ChildJvm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the agent's launch path loads: the instrumentation built and warmed up ({@link
 * AgentInstrumentation#prepared()}), as the start thread does, in a JVM of its own so that no other
 * test has loaded anything yet. Each class loaded is CPU the application's start shares, so what
 * only a server absent here (or an attach) needs must wait until it is needed.
 */
class LaunchClassesTest {

  /** The launch path, run in the child JVM. */
  public static final class Launch {
    public static void main(String[] args) throws Exception {
      AgentInstrumentation.prepared();
      System.out.println("launched");
    }
  }

  @Test
  void theLaunchPathLoadsNoAdviceClassOfTheServersAbsentHere() throws Exception {
    List<String> loaded = launch();
    assertThat(loaded).contains("io.fastlimit.agent.instrument.ServletApiAdvice");
    // the advice of servers absent here is read from its class file when one of their classes
    // is woven; its classes are never needed, and naming them loaded them
    assertThat(loaded)
        .noneMatch(
            name ->
                name.matches(
                    "io\\.fastlimit\\.agent\\.instrument\\.netty\\.(ReactorNetty|Micronaut).*Advice"))
        .noneMatch(name -> name.matches("io\\.fastlimit\\.agent\\.instrument\\.vertx\\..*Advice"))
        .noneMatch(name -> name.matches("io\\.fastlimit\\.agent\\.instrument\\.Tomcat.*Advice"))
        .noneMatch(name -> name.matches("io\\.fastlimit\\.agent\\.instrument\\.Jetty.*Advice"))
        .noneMatch(name -> name.matches("io\\.fastlimit\\.agent\\.instrument\\.Undertow.*Advice"));
    // nor is the Netty advice renamed for the application's Netty until it is woven
    assertThat(loaded).noneMatch(name -> name.endsWith(".jar.asm.commons.MethodRemapper"));
  }

  private static List<String> launch() throws Exception {
    List<String> lines =
        Arrays.asList(
            ChildJvm.run(Launch.class, "-Xlog:class+load=info:stdout:uptime").split("\\R"));
    assertThat(lines).contains("launched");
    List<String> loaded = new ArrayList<>();
    for (String line : lines) {
      // [0.123s] name source: ...
      int end = line.indexOf(" source:");
      int start = line.indexOf("] ");
      if (end > 0 && start >= 0 && start < end) {
        loaded.add(line.substring(start + 2, end));
      }
    }
    return loaded;
  }
}
