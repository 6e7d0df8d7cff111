package io.fastlimit.agent;

import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.ConfigProblem;
import io.fastlimit.agent.observe.Operator;
import io.fastlimit.agent.rules.RateLimitRule;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of the agent jar: {@code java -jar fastlimit-agent.jar check rules.yaml}. The
 * rules refer to bootstrap classes ({@code Stage}), which {@code java -jar} does not see: started
 * that way, it runs itself again in a JVM that has the embedded bootstrap jar on its boot class
 * path.
 */
public final class Main {

  private Main() {}

  private static final String RELAUNCHED = "fastlimit.cli.with-bootstrap";

  public static void main(String[] args) {
    if (!bootstrapVisible() && System.getProperty(RELAUNCHED) == null) {
      Integer status = relaunchWithBootstrap(args);
      if (status != null) {
        System.exit(status);
      }
    }
    System.exit(run(args, System.out, System.err));
  }

  private static boolean bootstrapVisible() {
    try {
      Class.forName("io.fastlimit.bootstrap.Stage", false, Main.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Runs the command in a JVM with the bootstrap jar; null when this is not the agent jar. */
  private static Integer relaunchWithBootstrap(String[] args) {
    try {
      File agentJar =
          new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!agentJar.isFile()) {
        return null;
      }
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xbootclasspath/a:" + FastlimitAgent.extractBootstrapJar());
      command.add("-D" + RELAUNCHED + "=true");
      command.add("-cp");
      command.add(agentJar.getPath());
      command.add(Main.class.getName());
      command.addAll(Arrays.asList(args));
      return new ProcessBuilder(command).inheritIO().start().waitFor();
    } catch (IOException | URISyntaxException | RuntimeException e) {
      System.err.println(
          "fastlimit: cannot start the command with the agent's bootstrap jar: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[0].equals("check")) {
      return check(args[1], out, err);
    }
    if (args.length == 3 && args[0].equals("attach")) {
      return attach(args[1], args[2], out, err);
    }
    if ((args.length == 4 || args.length == 5) && args[0].equals("reset")) {
      return operate(
          args[1],
          "reset",
          new Object[] {args[2], args[3], args.length == 5 ? args[4] : "*"},
          new String[] {String.class.getName(), String.class.getName(), String.class.getName()},
          out,
          err);
    }
    if (args.length >= 2 && args.length <= 4 && args[0].equals("blocked")) {
      int top;
      try {
        top = args.length == 4 ? Integer.parseInt(args[3]) : Operator.DEFAULT_TOP;
      } catch (NumberFormatException e) {
        err.println("the number of clients to list is a whole number, not '" + args[3] + "'");
        return 2;
      }
      return operate(
          args[1],
          "blocked",
          new Object[] {args.length >= 3 ? args[2] : "*", top},
          new String[] {String.class.getName(), int.class.getName()},
          out,
          err);
    }
    err.println("fastlimit agent " + FastlimitAgent.version());
    err.println();
    err.println("usage:");
    err.println(
        "  java -javaagent:fastlimit-agent.jar=rules.yaml -jar app.jar   run an app with limits");
    err.println(
        "  java -jar fastlimit-agent.jar check rules.yaml               validate a rules file");
    err.println(
        "  java -jar fastlimit-agent.jar attach <pid> rules.yaml        attach to a running JVM");
    err.println(
        "  java -jar fastlimit-agent.jar reset <pid> ip|user|account <id> [rule]"
            + "   unblock a client in one rule or all");
    err.println(
        "  java -jar fastlimit-agent.jar blocked <pid> [rule] [top]"
            + "   who was blocked most in the last 5 minutes");
    return args.length == 0 ? 0 : 2;
  }

  /** Calls an operation of the agent running in JVM {@code pid} and prints its answer. */
  private static int operate(
      String pid,
      String operation,
      Object[] arguments,
      String[] signature,
      PrintStream out,
      PrintStream err) {
    try {
      out.println(RunningAgent.call(pid, operation, arguments, signature));
      return 0;
    } catch (RunningAgent.Unreachable e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  /**
   * Loads the agent into a running JVM through the Attach API. Reflection keeps this class loadable
   * on a JRE without jdk.attach (the error then says what to install).
   */
  private static int attach(String pid, String rulesFile, PrintStream out, PrintStream err) {
    java.nio.file.Path rules = Paths.get(rulesFile).toAbsolutePath();
    try {
      ConfigLoader.load(rules);
    } catch (ConfigException e) {
      for (ConfigProblem problem : e.problems()) {
        err.println(problem);
      }
      err.println("not attached: fix the rules file first");
      return 1;
    }
    String jar;
    try {
      jar =
          Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath()
              .toString();
    } catch (Exception e) {
      err.println("cannot find the agent jar's own path: " + e);
      return 1;
    }
    try {
      Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
      Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
      try {
        vmClass
            .getMethod("loadAgent", String.class, String.class)
            .invoke(vm, jar, rules.toString());
      } finally {
        vmClass.getMethod("detach").invoke(vm);
      }
      out.println(
          "attached to " + pid + " with " + rules + "; the target JVM logs what it applied");
      return 0;
    } catch (ClassNotFoundException e) {
      err.println("the Attach API is missing: run this command with a JDK (not a JRE)");
      return 1;
    } catch (java.lang.reflect.InvocationTargetException e) {
      err.println("cannot attach to " + pid + ": " + e.getCause());
      return 1;
    } catch (ReflectiveOperationException e) {
      err.println("cannot attach to " + pid + ": " + e);
      return 1;
    }
  }

  /** Where the user id (and plan) comes from, as `check` prints it: never a secret. */
  static String userIdSource(AgentConfig config) {
    String entry =
        config.userIdFromPrincipal()
            ? "the principal (getUserPrincipal().getName())"
            : config.userIdAttribute() != null
                ? "request attribute " + config.userIdAttribute()
                : "none";
    return config.clientIdentity() == null ? entry : config.clientIdentity().describe(entry);
  }

  private static int check(String file, PrintStream out, PrintStream err) {
    try {
      AgentConfig config = ConfigLoader.load(Paths.get(file));
      out.println(file + ": OK, " + config.rules().rules().size() + " rule(s)");
      out.println("  user id: " + userIdSource(config));
      for (RateLimitRule rule : config.rules().rules()) {
        out.println("  " + rule.describe());
      }
      return 0;
    } catch (ConfigException e) {
      for (ConfigProblem problem : e.problems()) {
        err.println(problem);
      }
      err.println(e.problems().size() + " problem(s); the agent would run without limits");
      return 1;
    }
  }
}
