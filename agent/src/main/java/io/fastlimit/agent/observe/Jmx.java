package io.fastlimit.agent.observe;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Publishes the statistics as MBeans: {@code io.fastlimit:type=Agent} and one {@code
 * io.fastlimit:type=Rule,name="..."} per rule, visible in jconsole and VisualVM.
 *
 * <p>Registration waits until the platform MBean server exists: the agent never creates it.
 * Whatever reads MBeans creates it first (the JMX agent that jconsole, VisualVM, {@code jcmd
 * ManagementAgent.start} and {@code java -jar fastlimit-agent.jar reset|blocked} start through the
 * Attach API, {@code -Dcom.sun.management.jmxremote}, an application server, a JMX exporter), and
 * the MBeans follow within a poll. Creating it ourselves would initialize java.util.logging, which
 * breaks application servers that install their own LogManager during start (JBoss/WildFly), and
 * would load ~140 JMX classes and their objects into every JVM nobody reads MBeans from (Spring
 * Boot leaves the server alone by default). A daemon thread created at start does the waiting, so
 * no application thread (and no webapp class loader) is ever captured.
 */
public final class Jmx {

  /** Attributes of the agent as a whole. */
  public interface AgentMBean {
    String getRulesFile();

    int getRuleCount();

    String getLastReloadTime();

    String getLastReloadResult();

    /** Requests of new clients refused while counters blocking theirs filled memory.max-keys. */
    long getMemoryNewClientsRefused();
  }

  /** Attributes of one rule. */
  public interface RuleMBean {
    String getRule();

    long getAllowed();

    long getBlocked();

    long getWouldBlock();

    long getBackendErrors();

    /** Requests the rule covers that the application answered in a filter, out of its reach. */
    long getUnreached();
  }

  /**
   * The operator's actions, {@code io.fastlimit:type=Operator}: what {@code java -jar
   * fastlimit-agent.jar reset} calls in a running JVM.
   */
  public interface OperatorMBean {
    /**
     * Forgets client {@code id}'s counters of kind {@code kind} (ip, user, ...) in {@code rule}, or
     * in every rule when it is empty or {@code *}; says what was reset.
     */
    String reset(String kind, String id, String rule);

    /**
     * The {@code top} clients blocked most by {@code rule} (every rule when empty or {@code *}) in
     * the last {@link BlockedClients#MINUTES} minutes, with their counts, ids as the logs show
     * them.
     */
    String blocked(String rule, int top);
  }

  /** The name the operator's MBean is registered under. */
  public static final String OPERATOR_NAME = "io.fastlimit:type=Operator";

  /** How often the registering thread looks whether it may register yet. */
  public static final long POLL_MILLIS = 250;

  private Jmx() {}

  /**
   * Whether the platform MBean server was created (it registers itself with {@link
   * MBeanServerFactory}), without creating it: looking initializes neither JMX nor logging.
   */
  static boolean platformServerExists() {
    return !MBeanServerFactory.findMBeanServer(null).isEmpty();
  }

  /**
   * Starts the daemon that registers the MBeans, and the operator's, once the platform MBean server
   * exists.
   */
  public static void registerOnceServerExists(
      Stats stats, Supplier<String> rulesFile, IntSupplier ruleCount, OperatorMBean operator) {
    Thread thread =
        new Thread(
            () -> {
              Set<String> registered = new HashSet<>();
              try {
                while (!platformServerExists()) {
                  Thread.sleep(POLL_MILLIS);
                }
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                server.registerMBean(
                    new StandardMBean(agentBean(stats, rulesFile, ruleCount), AgentMBean.class),
                    new ObjectName("io.fastlimit:type=Agent"));
                server.registerMBean(
                    new StandardMBean(operator, OperatorMBean.class),
                    new ObjectName(OPERATOR_NAME));
                while (true) {
                  // rules added by a reload get their MBean within a couple of seconds
                  for (RuleStats rule : stats.all()) {
                    if (registered.add(rule.rule())) {
                      server.registerMBean(
                          new StandardMBean(ruleBean(rule), RuleMBean.class),
                          new ObjectName(
                              "io.fastlimit:type=Rule,name=" + ObjectName.quote(rule.rule())));
                    }
                  }
                  Thread.sleep(2000);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Throwable failure) {
                AgentLog.once("registering the JMX MBeans failed; metrics are not in JMX", failure);
              }
            },
            "fastlimit-jmx");
    thread.setDaemon(true);
    thread.setContextClassLoader(Jmx.class.getClassLoader());
    thread.start();
  }

  private static AgentMBean agentBean(
      Stats stats, Supplier<String> rulesFile, IntSupplier ruleCount) {
    return new AgentMBean() {
      @Override
      public String getRulesFile() {
        return rulesFile.get();
      }

      @Override
      public int getRuleCount() {
        return ruleCount.getAsInt();
      }

      @Override
      public String getLastReloadTime() {
        long millis = stats.lastReloadMillis();
        return millis == 0 ? "" : Instant.ofEpochMilli(millis).toString();
      }

      @Override
      public String getLastReloadResult() {
        return stats.lastReloadResult();
      }

      @Override
      public long getMemoryNewClientsRefused() {
        return stats.newClientsRefused();
      }
    };
  }

  private static RuleMBean ruleBean(RuleStats rule) {
    return new RuleMBean() {
      @Override
      public String getRule() {
        return rule.rule();
      }

      @Override
      public long getAllowed() {
        return rule.allowedCount();
      }

      @Override
      public long getBlocked() {
        return rule.blockedCount();
      }

      @Override
      public long getWouldBlock() {
        return rule.wouldBlockCount();
      }

      @Override
      public long getBackendErrors() {
        return rule.backendErrorCount();
      }

      @Override
      public long getUnreached() {
        return rule.unreachedCount();
      }
    };
  }
}
