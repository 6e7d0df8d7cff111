package io.fastlimit.agent;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.BackendContext;
import io.fastlimit.agent.backend.Backends;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.ConfigProblem;
import io.fastlimit.agent.config.LogFormat;
import io.fastlimit.agent.config.RestartSettings;
import io.fastlimit.agent.config.RulesFile;
import io.fastlimit.agent.config.RulesFileWatcher;
import io.fastlimit.agent.instrument.AgentInstrumentation;
import io.fastlimit.agent.instrument.Callouts;
import io.fastlimit.agent.instrument.StartGate;
import io.fastlimit.agent.limit.ClientReset;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.observe.DryRunSummary;
import io.fastlimit.agent.observe.Jmx;
import io.fastlimit.agent.observe.Operator;
import io.fastlimit.agent.observe.PrometheusEndpoint;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.BridgeHolder;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The running agent, for the JVM's life: once the bootstrap jar is in place it finds and loads the
 * rules file, builds the limiter, publishes it to the advice, instruments the servlet classes,
 * watches the file and applies each valid change (reload). A rules file that cannot be used at
 * start leaves the application unlimited, but it is still watched: fixing it applies the rules
 * without a restart.
 */
final class AgentRuntime implements RulesFileWatcher.Listener {

  static final String CONFIG_PROPERTY = "fastlimit.config";
  static final String CONFIG_ENVIRONMENT = "FASTLIMIT_CONFIG";

  /** The agent started in this JVM, if any: a second attach only replaces its rules. */
  private static volatile AgentRuntime running;

  private final Path rulesFile;
  private final Stats stats = new Stats();
  private volatile RateLimiter limiter;
  private volatile Backend backend;
  private RestartSettings startedWith;

  AgentRuntime(Path rulesFile) {
    this.rulesFile = rulesFile;
  }

  /**
   * Starts the agent. At the JVM's launch ({@code launch}) only a {@link StartGate} is registered
   * here and the rest runs on the thread {@code fastlimit-start} while the application starts;
   * attached to a running JVM, everything is in place when this returns.
   */
  static void start(String arguments, Instrumentation instrumentation, boolean launch)
      throws Exception {
    AgentLog.takeStderr();
    String location = configLocation(arguments);
    AgentRuntime started = running;
    if (started != null && location != null) {
      // attached again to a JVM that already runs the agent (even one whose rules were broken):
      // one transformer and one watcher stay; only the rules change
      try {
        started.changed(ConfigLoader.load(Paths.get(location)));
        AgentLog.info(
            "rules replaced from "
                + location
                + " (the watched file is still "
                + started.rulesFile
                + ")");
      } catch (ConfigException e) {
        reportUnusable(
            e, "the rules file given to attach cannot be used; the rules stay as they were");
      }
      return;
    }
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
    AgentRuntime agent = new AgentRuntime(Paths.get(location));
    running = agent;
    if (launch) {
      startBeside(agent, instrumentation);
      return;
    }
    agent.serve(loadWhileInstalling(agent, instrumentation));
  }

  /**
   * The agent's start off the application's path: the gate weaves the servlets, filters and
   * Tomcat's front door as they load and the advice waits for the first rules, while one thread
   * installs the call-outs' entry code and loads the rules. Nothing of Byte Buddy runs here; the
   * gate builds it only for a class the weave leaves to it ({@link StartGate}).
   */
  private static void startBeside(AgentRuntime agent, Instrumentation instrumentation) {
    StartGate gate = new StartGate(new ByteBuddyBuild());
    BridgeHolder.loading();
    instrumentation.addTransformer(gate, true);
    Thread starting = new Thread(new Starting(agent), "fastlimit-start");
    starting.setDaemon(true);
    starting.start();
  }

  /** The start thread's work (a class, not a lambda: a lambda's bootstrap costs premain). */
  private static final class Starting implements Runnable {
    private final AgentRuntime agent;

    Starting(AgentRuntime agent) {
      this.agent = agent;
    }

    @Override
    public void run() {
      agent.startBehind(CalloutsInstall.INSTANCE);
    }
  }

  /** Byte Buddy's transformer, for the gate to build when a class first needs it. */
  private static final class ByteBuddyBuild implements Callable<ClassFileTransformer> {
    @Override
    public ClassFileTransformer call() throws Exception {
      return AgentInstrumentation.prepared();
    }
  }

  /** Installs the call-outs' entry code, without Byte Buddy. */
  enum CalloutsInstall implements Callable<Void> {
    INSTANCE;

    @Override
    public Void call() throws Exception {
      Callouts.install();
      return null;
    }
  }

  /**
   * Installs the call-outs' entry code ({@code callouts}), then loads the first rules and serves
   * them; the call-outs find their entry code before any request passes the first rules' wait.
   * Never throws: a failure is logged once and leaves the application running, unlimited where it
   * must be.
   */
  void startBehind(Callable<?> callouts) {
    try {
      callouts.call();
    } catch (Throwable failure) {
      AgentLog.error(
          "the agent could not install its servlet entry code; servlets and filters run without"
              + " rate limits",
          failure);
    }
    byte[] content;
    try {
      content = loadFirst();
    } finally {
      BridgeHolder.loaded();
    }
    try {
      serve(content);
    } catch (Throwable failure) {
      AgentLog.error("the agent's start could not finish (rules file watching, JMX)", failure);
    }
  }

  /** Watches the rules file (loaded first as {@code content}) and publishes the statistics. */
  private void serve(byte[] content) {
    RateLimiter current = limiter;
    if (current == null || current.config().reload()) {
      RulesFileWatcher.start(rulesFile, content, this);
    }
    DryRunSummary.start(stats, DryRunSummary.DEFAULT_PERIOD_MILLIS);
    Jmx.registerOnceServerExists(
        stats,
        () -> rulesFile.toString(),
        () -> limiter == null ? 0 : limiter.config().rules().rules().size(),
        new Operator(
            new ClientReset(() -> limiter == null ? null : limiter.config(), () -> backend)::reset,
            stats));
  }

  /**
   * Loads the rules (SnakeYAML, the limiter) on a thread of its own while this one installs the
   * instrumentation (Byte Buddy's start): the two share nothing, and each was about a fifth of the
   * agent's start. Returns when both are done, so the application's first request finds both.
   */
  private static byte[] loadWhileInstalling(AgentRuntime agent, Instrumentation instrumentation)
      throws Exception {
    FutureTask<byte[]> rules = new FutureTask<>(agent::loadFirst);
    Thread loading = new Thread(rules, "fastlimit-rules-load");
    loading.setDaemon(true);
    loading.start();
    try {
      AgentInstrumentation.install(instrumentation);
    } finally {
      loading.join(); // the rules are in place before the application runs, whatever happened here
    }
    try {
      return rules.get();
    } catch (ExecutionException e) {
      // loadFirst reports whatever a rules file can do wrong; only an Error of the JVM gets here
      AgentLog.error(
          "the rules could not be loaded; the application runs without rate limits", e.getCause());
      return null;
    }
  }

  /**
   * Loads the rules file at start; returns its content, or null when it could not be read. Never
   * throws: whatever goes wrong, the file is still watched afterwards.
   */
  byte[] loadFirst() {
    byte[] content;
    try {
      content = RulesFile.read(rulesFile);
    } catch (NoSuchFileException e) {
      reportUnusable(
          new ConfigException(
              Collections.singletonList(
                  new ConfigProblem(rulesFile.toString(), 0, 0, "no such file"))),
          "the rules file cannot be used; the application runs without rate limits"
              + " (the file is watched: create it to apply rules)");
      return null;
    } catch (ConfigException e) {
      reportUnusable(
          e,
          "the rules file cannot be used; the application runs without rate limits"
              + " (fix the file: it is watched and applied when valid)");
      return null;
    } catch (IOException | RuntimeException e) {
      AgentLog.error(
          "the rules file cannot be read; the application runs without rate limits: " + e, null);
      return null;
    }
    try {
      AgentConfig config = ConfigLoader.parse(content, rulesFile.toString());
      startLimiter(config);
    } catch (ConfigException e) {
      reportUnusable(
          e,
          "the rules file cannot be used; the application runs without rate limits"
              + " (fix the file: it is watched and applied when valid)");
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      // a bug of ours, not the user's file: say so once, keep watching the file
      AgentLog.error(
          "the rules file could not be loaded; the application runs without rate limits"
              + " (the file is watched and applied when it loads): "
              + e,
          null);
    }
    return content;
  }

  private void startLimiter(AgentConfig config) {
    applyLogSettings(config);
    Backend backend;
    try {
      backend = Backends.create(config.backend(), backendContext(config.restartSettings()));
    } catch (Throwable failure) {
      AgentLog.error(
          "the backend '"
              + config.backend()
              + "' cannot be created; the application runs without rate limits",
          failure);
      return;
    }
    if (backend instanceof MemoryBackend) {
      stats.countNewClientsRefused(((MemoryBackend) backend)::newClientsRefused);
    }
    RateLimiter created = new RateLimiter(config, backend, stats);
    this.backend = backend;
    limiter = created;
    startedWith = config.restartSettings();
    BridgeHolder.set(new LimiterBridge(created));
    stats.reloaded(System.currentTimeMillis(), "ok: " + config.rules().rules().size() + " rules");
    if (config.prometheusPort() > 0) {
      try {
        PrometheusEndpoint endpoint = PrometheusEndpoint.start(config.prometheusPort(), stats);
        AgentLog.info("metrics at http://127.0.0.1:" + endpoint.port() + "/metrics");
      } catch (IOException e) {
        AgentLog.error(
            "cannot serve metrics on 127.0.0.1:" + config.prometheusPort() + ": " + e, null);
      }
    }
    AgentLog.info(describe(config, "enforcing"));
  }

  @Override
  public synchronized void changed(AgentConfig config) {
    RateLimiter current = limiter;
    if (current == null) {
      startLimiter(config);
      return;
    }
    if (!config.restartSettings().equals(startedWith)) {
      // the settings themselves are not logged: they may hold passwords
      AgentLog.warn(
          "the reloaded rules change where counters live or how metrics are served (backend,"
              + " redis-url, redis.*, backend-options, memory.max-keys or"
              + " metrics.prometheus-port); that part takes effect at the next restart, the rules"
              + " apply now");
    }
    applyLogSettings(config);
    current.update(config);
    stats.reloaded(System.currentTimeMillis(), "ok: " + config.rules().rules().size() + " rules");
    AgentLog.info(describe(config, "reloaded"));
  }

  private static void applyLogSettings(AgentConfig config) {
    AgentLog.writeTo(config.logFile());
    AgentLog.setLevel(config.logLevel().configName());
    AgentLog.setJson(config.logFormat() == LogFormat.JSON);
  }

  @Override
  public synchronized void rejected(ConfigException problems) {
    stats.reloaded(System.currentTimeMillis(), "rejected: " + problems.problems().get(0));
    reportUnusable(
        problems,
        limiter == null
            ? "the rules file cannot be used; the application runs without rate limits"
            : "the changed rules file cannot be used; the last good rules stay in force");
  }

  private static void reportUnusable(ConfigException problems, String consequence) {
    StringBuilder message = new StringBuilder(consequence).append(':');
    for (ConfigProblem problem : problems.problems()) {
      message.append(System.lineSeparator()).append("  ").append(problem);
    }
    AgentLog.error(message.toString(), null);
  }

  /** What the backends are built from: the rules file's restart-only settings. */
  static BackendContext backendContext(RestartSettings settings) {
    return new BackendContext(
        settings.backendOptions(), settings.memoryMaxKeys(), settings.redis());
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

  static String describe(AgentConfig config, String what) {
    StringBuilder out =
        new StringBuilder("fastlimit agent ")
            .append(version())
            .append(' ')
            .append(what)
            .append(' ')
            .append(config.source())
            .append(" (")
            .append(
                config.redis() == null ? config.backend() + " backend" : config.redis().toString())
            .append("): ")
            .append(config.rules().rules().size())
            .append(" rule(s)");
    for (RateLimitRule rule : config.rules().rules()) {
      out.append(System.lineSeparator()).append("  ").append(rule.describe());
    }
    return out.toString();
  }

  static String version() {
    return FastlimitAgent.version();
  }
}
