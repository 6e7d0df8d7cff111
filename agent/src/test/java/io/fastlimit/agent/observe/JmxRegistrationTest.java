package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.ChildJvm;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * When the agent's MBeans appear: once the platform MBean server exists, served or not. Run in a
 * child JVM: in the tests' JVM an agent an earlier test class served ({@code AgentRuntimeTest}
 * starts one; its JMX thread polls for the JVM's life) registered its own operator the moment this
 * test made the platform server, often before this test looked, and then this test's registration
 * failed as a duplicate while the earlier one's operator answered in its place.
 */
class JmxRegistrationTest {

  @Test
  void theOperatorIsRegisteredBeforeAnyRequestOnceThePlatformServerExists() throws Exception {
    String output = ChildJvm.run(ServedJvm.class);

    assertThat(output)
        .contains("before: platform server true, operator registered false")
        .contains("registered within 30 s: true")
        .contains("blocked: nobody was blocked in the last 5 minutes");
  }

  /** The child: the platform server made first (as a JMX agent would), then the agent's JMX. */
  static final class ServedJvm {
    public static void main(String[] args) throws Exception {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName operator = new ObjectName(Jmx.OPERATOR_NAME);
      System.out.println(
          "before: platform server "
              + Jmx.platformServerExists()
              + ", operator registered "
              + server.isRegistered(operator));

      JmxIdleJvmTest.startAgentJmx();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a guard, not a timing
      while (!server.isRegistered(operator) && System.nanoTime() < deadline) {
        Thread.sleep(Jmx.POLL_MILLIS / 5);
      }
      System.out.println("registered within 30 s: " + server.isRegistered(operator));
      System.out.println(
          "blocked: "
              + server.invoke(
                  operator,
                  "blocked",
                  new Object[] {"*", 3},
                  new String[] {String.class.getName(), int.class.getName()}));
    }
  }
}
