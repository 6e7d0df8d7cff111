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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The command line of the agent jar: {@code java -jar fastlimit-agent.jar check rules.yaml}. The
 * rules refer to bootstrap classes ({@code Stage}), which {@code java -jar} does not see: started
 * that way, the command runs in a class loader of its own that has the embedded bootstrap jar
 * beside the agent's classes.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    if (!bootstrapVisible()) {
      Integer status = runWithBootstrap(args);
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

  /**
   * Runs the command with the bootstrap jar; null when this is not the agent jar. A class loader,
   * not a second JVM: starting one doubled the cost of the command ({@code attach} to a loaded
   * server waited on it).
   */
  private static Integer runWithBootstrap(String[] args) {
    try {
      File agentJar =
          new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!agentJar.isFile()) {
        return null;
      }
      ClassLoader commands =
          new AgentFirst(
              new URL[] {
                FastlimitAgent.extractBootstrapJar().toURI().toURL(), agentJar.toURI().toURL()
              },
              Main.class.getClassLoader());
      Thread.currentThread().setContextClassLoader(commands);
      Method run =
          Class.forName(Main.class.getName(), true, commands)
              .getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
      run.setAccessible(true);
      return (Integer) run.invoke(null, args, System.out, System.err);
    } catch (InvocationTargetException e) {
      System.err.println("fastlimit: the command failed: " + e.getCause());
      return 1;
    } catch (IOException | URISyntaxException | ReflectiveOperationException | RuntimeException e) {
      System.err.println(
          "fastlimit: cannot start the command with the agent's bootstrap jar: " + e);
      return 1;
    }
  }

  /** Loads the agent's and the bootstrap's classes itself, everything else from its parent. */
  private static final class AgentFirst extends URLClassLoader {
    AgentFirst(URL[] jars, ClassLoader parent) {
      super(jars, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.fastlimit.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> type = findLoadedClass(name);
        if (type == null) {
          type = findClass(name);
        }
        if (resolve) {
          resolveClass(type);
        }
        return type;
      }
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
   * on a JRE without jdk.attach (the error then says what to install). The Attach API's handshake
   * runs on a thread of its own while the rules are checked: it signals the target and then sleeps
   * between looks for the target's socket (100 ms at least), and the cold YAML load takes as long;
   * the agent is loaded only once both are done, and only with rules that load.
   */
  private static int attach(String pid, String rulesFile, PrintStream out, PrintStream err) {
    java.nio.file.Path rules = Paths.get(rulesFile).toAbsolutePath();
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
    Class<?> vmClass;
    try {
      vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
    } catch (ClassNotFoundException e) {
      err.println("the Attach API is missing: run this command with a JDK (not a JRE)");
      return 1;
    }
    FutureTask<Object> connecting =
        new FutureTask<>(() -> vmClass.getMethod("attach", String.class).invoke(null, pid));
    Thread handshake = new Thread(connecting, "fastlimit-attach");
    handshake.setDaemon(true);
    handshake.start();
    ConfigException problems = null;
    try {
      ConfigLoader.load(rules);
    } catch (ConfigException e) {
      problems = e;
    }
    Object vm;
    try {
      vm = connecting.get();
    } catch (ExecutionException | InterruptedException e) {
      if (problems != null) {
        return notAttached(problems, err);
      }
      Throwable failure = e instanceof ExecutionException ? e.getCause() : e;
      if (failure instanceof InvocationTargetException) {
        failure = failure.getCause(); // what VirtualMachine.attach threw
      }
      err.println("cannot attach to " + pid + ": " + failure);
      return 1;
    }
    try {
      if (problems != null) {
        return notAttached(problems, err);
      }
      vmClass.getMethod("loadAgent", String.class, String.class).invoke(vm, jar, rules.toString());
      out.println(
          "attached to " + pid + " with " + rules + "; the target JVM logs what it applied");
      return 0;
    } catch (InvocationTargetException e) {
      err.println("cannot attach to " + pid + ": " + e.getCause());
      return 1;
    } catch (ReflectiveOperationException e) {
      err.println("cannot attach to " + pid + ": " + e);
      return 1;
    } finally {
      try {
        vmClass.getMethod("detach").invoke(vm);
      } catch (ReflectiveOperationException e) {
        // the target dropped the connection: nothing to close
      }
    }
  }

  private static int notAttached(ConfigException problems, PrintStream err) {
    for (ConfigProblem problem : problems.problems()) {
      err.println(problem);
    }
    err.println("not attached: fix the rules file first");
    return 1;
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
