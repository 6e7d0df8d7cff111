package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.limit.ClientReset;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** When the agent's MBeans appear: once the platform MBean server exists, served or not. */
class JmxRegistrationTest {

  @Test
  void theOperatorIsRegisteredBeforeAnyRequestOnceThePlatformServerExists() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer(); // as a JMX agent would
    assertThat(Jmx.platformServerExists()).isTrue();
    ObjectName operator = new ObjectName(Jmx.OPERATOR_NAME);
    assertThat(server.isRegistered(operator)).isFalse();

    Stats stats = new Stats();
    Jmx.registerOnceServerExists(
        stats,
        () -> "rules.yaml",
        () -> 0,
        new Operator(new ClientReset(() -> null, () -> null)::reset, stats));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.isRegistered(operator)) {
      assertThat(System.nanoTime()).as("registered within 30 s").isLessThan(deadline);
      Thread.sleep(Jmx.POLL_MILLIS / 5);
    }
    assertThat(
            server.invoke(
                operator,
                "blocked",
                new Object[] {"*", 3},
                new String[] {String.class.getName(), int.class.getName()}))
        .isEqualTo("nobody was blocked in the last 5 minutes");
    server.unregisterMBean(operator);
    server.unregisterMBean(new ObjectName("io.fastlimit:type=Agent"));
  }
}
