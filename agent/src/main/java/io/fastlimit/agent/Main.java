package io.fastlimit.agent;

import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.ConfigProblem;
import io.fastlimit.agent.rules.RateLimitRule;
import java.io.PrintStream;
import java.nio.file.Paths;

/** The command line of the agent jar: {@code java -jar fastlimit-agent.jar check rules.yaml}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[0].equals("check")) {
      return check(args[1], out, err);
    }
    err.println("fastlimit agent " + AgentStartup.version());
    err.println();
    err.println("usage:");
    err.println("  java -javaagent:fastlimit-agent.jar=rules.yaml -jar app.jar   run an app with limits");
    err.println("  java -jar fastlimit-agent.jar check rules.yaml               validate a rules file");
    return args.length == 0 ? 0 : 2;
  }

  private static int check(String file, PrintStream out, PrintStream err) {
    try {
      AgentConfig config = ConfigLoader.load(Paths.get(file));
      out.println(file + ": OK, " + config.rules().rules().size() + " rule(s)");
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
