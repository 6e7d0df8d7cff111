package io.fastlimit.agent.config;

import io.fastlimit.agent.client.CidrBlock;
import io.fastlimit.agent.client.ClientIpResolver;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a rules file into an {@link AgentConfig}: the top-level keys here, each section in its own
 * class, all through one {@link YamlReader} so that every problem names file, line and column and
 * all problems are reported together rather than one per attempt.
 */
public final class ConfigLoader {

  static final int DEFAULT_IPV6_PREFIX = 64;

  private static final List<String> TOP_KEYS =
      Arrays.asList(
          "redis-url",
          "redis",
          "key-prefix",
          "algorithm",
          "dry-run",
          "user-id",
          "plan-from",
          "exempt-ips",
          "trusted-proxies",
          "ipv6-prefix",
          "headers",
          "response",
          "memory",
          "reload",
          "log-level",
          "log-format",
          "log-file",
          "metrics",
          "backend",
          "backend-options",
          "rules");
  private static final List<String> MEMORY_KEYS = Collections.singletonList("max-keys");
  private static final List<String> METRICS_KEYS = Collections.singletonList("prometheus-port");
  private static final YamlReader.Words<LogLevel> LOG_LEVELS =
      new YamlReader.Words<>(
          "log-level",
          "a log level",
          LogLevel.values(),
          LogLevel::configName,
          "[debug, info, warn, error]");
  private static final YamlReader.Words<LogFormat> LOG_FORMATS =
      new YamlReader.Words<>(
          "log-format", "a log format", LogFormat.values(), LogFormat::configName, "[text, json]");

  private final YamlReader yaml;

  private ConfigLoader(YamlReader yaml) {
    this.yaml = yaml;
  }

  /** Loads a rules file, substituting {@code ${VAR}} from the process environment. */
  public static AgentConfig load(Path path) throws ConfigException {
    String label = path.toString();
    byte[] bytes;
    try {
      bytes = RulesFile.read(path);
    } catch (NoSuchFileException e) {
      throw single(label, "no such file");
    } catch (IOException e) {
      throw single(label, "cannot read the file: " + e);
    }
    return parse(bytes, label);
  }

  /** Parses the bytes of a rules file read earlier (UTF-8), with the process environment. */
  public static AgentConfig parse(byte[] content, String file) throws ConfigException {
    if (content.length > RulesFile.MAX_BYTES) {
      throw RulesFile.tooLarge(file);
    }
    return parse(new String(content, StandardCharsets.UTF_8), file, System::getenv);
  }

  /** Parses rules-file text; {@code file} names it in messages. */
  public static AgentConfig parse(String text, String file, Function<String, String> environment)
      throws ConfigException {
    YamlReader yaml = new YamlReader(file, environment);
    AgentConfig config = new ConfigLoader(yaml).read(file, text);
    if (yaml.problemCount() > 0) {
      throw new ConfigException(yaml.problems());
    }
    return config;
  }

  private static ConfigException single(String file, String message) {
    return new ConfigException(Collections.singletonList(new ConfigProblem(file, 0, 0, message)));
  }

  private AgentConfig read(String file, String text) {
    Node root = yaml.compose(text);
    Map<String, Node> top = root == null ? null : yaml.mapping(root, "the top level", TOP_KEYS);
    if (top == null) {
      return null;
    }
    RedisConfig redis = RedisSection.read(yaml, top.get("redis-url"), top.get("redis"));
    String keyPrefix = keyPrefix(top.get("key-prefix"));
    Algorithm defaultAlgorithm =
        yaml.word(top.get("algorithm"), RulesSection.ALGORITHMS, Algorithm.SLIDING_WINDOW);
    boolean defaultDryRun = yaml.bool(top.get("dry-run"), false);
    AgentConfig.Builder config = AgentConfig.builder(file);
    boolean userAtEveryStage =
        UserIdSection.read(yaml, file, top.get("user-id"), top.get("plan-from"), config);
    config
        .keyPrefix(keyPrefix)
        .clientIp(clientIp(top))
        .headers(ResponseSection.headers(yaml, top.get("headers")))
        .response(ResponseSection.response(yaml, top.get("response")))
        .memoryMaxKeys(memoryMaxKeys(top.get("memory")))
        .reload(yaml.bool(top.get("reload"), true))
        .logLevel(yaml.word(top.get("log-level"), LOG_LEVELS, LogLevel.INFO))
        .logFormat(yaml.word(top.get("log-format"), LOG_FORMATS, LogFormat.TEXT))
        .logFile(logFile(top.get("log-file")))
        .prometheusPort(prometheusPort(top.get("metrics")))
        .backend(backend(top.get("backend"), redis != null))
        .backendOptions(yaml.freeMapping(top.get("backend-options"), "backend-options"))
        .redis(redis);

    List<RateLimitRule> rules = new ArrayList<>();
    Node rulesNode = top.get("rules");
    if (rulesNode == null) {
      yaml.problemAt(
          root.getStartMark().orElse(null),
          "'rules' is missing: list at least one rule, e.g. rules: [{path: /login, limit: 5/min}]");
    } else {
      long maxLimitTimesWindow =
          redis != null ? RedisConfig.MAX_LIMIT_TIMES_WINDOW : Rate.MAX_LIMIT_TIMES_WINDOW;
      rules =
          RulesSection.read(
              yaml,
              rulesNode,
              defaultAlgorithm,
              defaultDryRun,
              maxLimitTimesWindow,
              userAtEveryStage);
    }
    return config.rules(new RuleSet(rules)).build();
  }

  private ClientIpResolver clientIp(Map<String, Node> top) {
    List<CidrBlock> exempt = new ArrayList<>();
    for (Node entry : yaml.list(top.get("exempt-ips"), "exempt-ips")) {
      String value = yaml.string(entry);
      if (value != null) {
        try {
          exempt.add(CidrBlock.parse(value));
        } catch (IllegalArgumentException e) {
          yaml.problem(entry, e.getMessage());
        }
      }
    }
    int trustedProxies = yaml.integer(top.get("trusted-proxies"), 0, 0, 16);
    int ipv6Prefix = yaml.integer(top.get("ipv6-prefix"), DEFAULT_IPV6_PREFIX, 1, 128);
    return new ClientIpResolver(trustedProxies, exempt, ipv6Prefix);
  }

  private String keyPrefix(Node node) {
    if (node == null) {
      return "fastlimit";
    }
    String prefix = yaml.nonEmptyString(node, "a key prefix");
    if (prefix != null && (prefix.length() > 64 || !prefix.matches("[A-Za-z0-9._:-]+"))) {
      yaml.problem(
          node, "invalid key-prefix '" + prefix + "': use up to 64 letters, digits and . _ : -");
    }
    return prefix == null ? "fastlimit" : prefix;
  }

  /** {@code log-file}: an absolute path (a server's working directory is anyone's guess). */
  private String logFile(Node node) {
    String path = node == null ? null : yaml.nonEmptyString(node, "a file path");
    boolean absolute;
    try {
      absolute = path == null || Paths.get(path).isAbsolute();
    } catch (InvalidPathException e) {
      absolute = false;
    }
    if (!absolute) {
      yaml.problem(
          node,
          "log-file '" + path + "' must be an absolute path, e.g. /var/log/app/fastlimit.log");
      return null;
    }
    return path;
  }

  private int memoryMaxKeys(Node node) {
    Map<String, Node> memory = yaml.mapping(node, "memory", MEMORY_KEYS);
    int fallback = RestartSettings.DEFAULT_MEMORY_MAX_KEYS;
    return memory == null
        ? fallback
        : yaml.integer(memory.get("max-keys"), fallback, 1000, 100_000_000);
  }

  private int prometheusPort(Node node) {
    Map<String, Node> metrics = yaml.mapping(node, "metrics", METRICS_KEYS);
    return metrics == null ? 0 : yaml.integer(metrics.get("prometheus-port"), 0, 0, 65535);
  }

  /** {@code backend}: redis when there is a redis-url, else memory, unless named. */
  private String backend(Node node, boolean hasRedis) {
    String implied = hasRedis ? RestartSettings.REDIS : RestartSettings.MEMORY;
    if (node == null) {
      return implied;
    }
    String name = yaml.nonEmptyString(node, "a backend name or class");
    if (name != null && hasRedis && !name.equals(RestartSettings.REDIS)) {
      yaml.problem(node, "'backend: " + name + "' and 'redis-url' exclude each other; keep one");
    } else if (name != null && !hasRedis && name.equals(RestartSettings.REDIS)) {
      yaml.problem(node, "'backend: redis' needs 'redis-url', e.g. redis://localhost:6379");
    } else if (name != null) {
      return name;
    }
    return implied;
  }
}
