package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.ChildJvm;
import io.fastlimit.agent.limit.ClientReset;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The agent never brings up the platform MBean server itself (issue 13: in a Spring Boot
 * application, which leaves it alone by default, that was ~140 JMX classes and their objects at the
 * first request); its MBeans appear once something else made that server. Run in a child JVM, where
 * no other test has created it.
 */
class JmxIdleJvmTest {

  @Test
  void theAgentNeverCreatesThePlatformServerAndItsCreationRegistersTheMBeans() throws Exception {
    String output = ChildJvm.run(IdleJvm.class);

    assertThat(output)
        .contains("after a poll: platform server false")
        .contains("once created: operator registered true");
  }

  /** The agent's JMX, as an agent serving rules starts it: its MBeans once the server exists. */
  static void startAgentJmx() {
    Stats stats = new Stats();
    Jmx.registerOnceServerExists(
        stats,
        () -> "rules.yaml",
        () -> 0,
        new Operator(new ClientReset(() -> null, () -> null)::reset, stats));
  }

  /** The child: the agent's JMX started in a JVM that no JMX client looks at. */
  static final class IdleJvm {
    public static void main(String[] args) throws Exception {
      startAgentJmx();
      Thread registering = awaitSleeping("fastlimit-jmx");
      System.out.println("after a poll: platform server " + Jmx.platformServerExists());

      MBeanServer server = ManagementFactory.getPlatformMBeanServer(); // as a JMX agent would
      ObjectName operator = new ObjectName(Jmx.OPERATOR_NAME);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!server.isRegistered(operator) && System.nanoTime() < deadline) {
        Thread.sleep(Jmx.POLL_MILLIS / 5);
      }
      System.out.println("once created: operator registered " + server.isRegistered(operator));
      registering.interrupt();
    }

    /** The thread named {@code name}, once it sleeps: it has looked at least once. */
    private static Thread awaitSleeping(String name) throws InterruptedException {
      while (true) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
          if (thread.getName().equals(name) && thread.getState() == Thread.State.TIMED_WAITING) {
            return thread;
          }
        }
        Thread.sleep(10);
      }
    }
  }
}
