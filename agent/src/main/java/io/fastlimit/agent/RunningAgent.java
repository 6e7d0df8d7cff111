package io.fastlimit.agent;

import io.fastlimit.agent.observe.Jmx;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
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

  private RunningAgent() {}

  /** Calls an operation of the operator MBean in JVM {@code pid}; returns its answer. */
  static Object call(String pid, String operation, Object[] arguments, String[] signature)
      throws Unreachable {
    String address = localConnector(pid);
    try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      return server.invoke(new ObjectName(Jmx.OPERATOR_NAME), operation, arguments, signature);
    } catch (InstanceNotFoundException e) {
      throw new Unreachable(
          "JVM "
              + pid
              + " has no fastlimit agent serving yet (its MBeans are registered after the"
              + " application's first request)");
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
