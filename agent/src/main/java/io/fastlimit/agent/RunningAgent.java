package io.fastlimit.agent;

import io.fastlimit.agent.observe.Jmx;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.TimeUnit;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The agent in another JVM on this host, reached for the operator's commands: the Attach API starts
 * that JVM's local JMX connector (or finds it running), and the command calls the agent's {@code
 * io.fastlimit:type=Operator} MBean through it. Reflection keeps this class loadable on a JRE
 * without jdk.attach; the error then says what to install.
 */
final class RunningAgent {

  /** A failure the command reports as it is, without a stack trace. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  /** How long a command waits for the agent of a JVM whose JMX it just started. */
  static final long REGISTRATION_WAIT_MILLIS = 5_000;

  private RunningAgent() {}

  /** Calls an operation of the operator MBean in JVM {@code pid}; returns its answer. */
  static Object call(String pid, String operation, Object[] arguments, String[] signature)
      throws Unreachable {
    String address = localConnector(pid);
    try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      ObjectName operator = new ObjectName(Jmx.OPERATOR_NAME);
      // an agent registers its MBeans within a poll of the JMX agent that attaching just started
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REGISTRATION_WAIT_MILLIS);
      while (!server.isRegistered(operator) && System.nanoTime() < deadline) {
        Thread.sleep(Jmx.POLL_MILLIS / 2);
      }
      return server.invoke(operator, operation, arguments, signature);
    } catch (InstanceNotFoundException e) {
      throw new Unreachable(
          "JVM "
              + pid
              + " runs no fastlimit agent (no "
              + Jmx.OPERATOR_NAME
              + " MBean): start it with -javaagent:fastlimit-agent.jar=rules.yaml, or attach one"
              + " with java -jar fastlimit-agent.jar attach "
              + pid
              + " rules.yaml");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while waiting for the agent in JVM " + pid);
    } catch (RuntimeMBeanException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new Unreachable(String.valueOf(cause.getMessage()));
    } catch (MBeanException e) {
      throw new Unreachable(String.valueOf(e.getCause()));
    } catch (IOException | javax.management.JMException e) {
      throw new Unreachable("cannot reach the agent in JVM " + pid + ": " + e);
    }
  }

  /** The JMX address of the target's local connector, started if need be. */
  private static String localConnector(String pid) throws Unreachable {
    try {
      Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
      Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
      try {
        return (String) vmClass.getMethod("startLocalManagementAgent").invoke(vm);
      } finally {
        vmClass.getMethod("detach").invoke(vm);
      }
    } catch (ClassNotFoundException e) {
      throw new Unreachable("the Attach API is missing: run this command with a JDK (not a JRE)");
    } catch (InvocationTargetException e) {
      throw new Unreachable("cannot attach to " + pid + ": " + e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new Unreachable("cannot attach to " + pid + ": " + e);
    }
  }
}
