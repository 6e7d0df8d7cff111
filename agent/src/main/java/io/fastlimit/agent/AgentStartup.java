package io.fastlimit.agent;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.ConfigProblem;
import io.fastlimit.agent.instrument.ServletInstrumentation;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.BridgeHolder;
import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;

/**
 * Everything after the bootstrap jar is in place: find and load the rules file, build the
 * limiter, publish it to the advice and instrument the servlet classes.
 */
final class AgentStartup {

  static final String CONFIG_PROPERTY = "fastlimit.config";
  static final String CONFIG_ENVIRONMENT = "FASTLIMIT_CONFIG";

  private AgentStartup() {}

  static void start(String arguments, Instrumentation instrumentation) throws Exception {
    String location = configLocation(arguments);
    if (location == null) {
      AgentLog.error(
          "no rules file given; the application runs without rate limits. Pass one as"
              + " -javaagent:fastlimit-agent.jar=/path/rules.yaml, -D"
              + CONFIG_PROPERTY
              + "=/path/rules.yaml or "
              + CONFIG_ENVIRONMENT
              + "=/path/rules.yaml",
          null);
      return;
    }
    AgentConfig config;
    try {
      config = ConfigLoader.load(Paths.get(location));
    } catch (ConfigException e) {
      StringBuilder message =
          new StringBuilder("the rules file cannot be used; the application runs without rate")
              .append(" limits:");
      for (ConfigProblem problem : e.problems()) {
        message.append(System.lineSeparator()).append("  ").append(problem);
      }
      AgentLog.error(message.toString(), null);
      return;
    }
    RateLimiter limiter =
        new RateLimiter(
            config, new MemoryBackend(System::currentTimeMillis, config.memoryMaxKeys()));
    BridgeHolder.set(limiter);
    ServletInstrumentation.install(instrumentation);
    AgentLog.info(describe(config));
  }

  /** The agent argument, else -Dfastlimit.config, else FASTLIMIT_CONFIG. */
  static String configLocation(String arguments) {
    if (arguments != null && !arguments.trim().isEmpty()) {
      return arguments.trim();
    }
    String property = System.getProperty(CONFIG_PROPERTY);
    if (property != null && !property.trim().isEmpty()) {
      return property.trim();
    }
    String environment = System.getenv(CONFIG_ENVIRONMENT);
    if (environment != null && !environment.trim().isEmpty()) {
      return environment.trim();
    }
    return null;
  }

  static String describe(AgentConfig config) {
    StringBuilder out =
        new StringBuilder("fastlimit agent ")
            .append(version())
            .append(" enforcing ")
            .append(config.source())
            .append(" (memory backend): ")
            .append(config.rules().rules().size())
            .append(" rule(s)");
    for (RateLimitRule rule : config.rules().rules()) {
      out.append(System.lineSeparator()).append("  ").append(rule.describe());
    }
    return out.toString();
  }

  static String version() {
    String version = AgentStartup.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }
}
