package io.fastlimit.agent.config;

import io.fastlimit.agent.backend.Backends;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.redis.RedisBackend;
import io.fastlimit.agent.backend.redis.RedisSettings;
import io.fastlimit.agent.http.BlockedResponse;
import io.fastlimit.agent.http.CidrBlock;
import io.fastlimit.agent.http.ClientIpResolver;
import io.fastlimit.agent.http.RateLimitHeaders;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.PathPattern;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a rules file into an {@link AgentConfig}. The YAML is composed into nodes that keep their
 * positions, so every problem names file, line and column; all problems are collected and
 * reported together rather than one per attempt.
 */
public final class ConfigLoader {

  private static final List<String> TOP_KEYS =
      Arrays.asList(
          "redis-url",
          "redis",
          "key-prefix",
          "algorithm",
          "dry-run",
          "user-id",
          "exempt-ips",
          "trusted-proxies",
          "ipv6-prefix",
          "headers",
          "response",
          "memory",
          "reload",
          "log-level",
          "metrics",
          "backend",
          "backend-options",
          "rules");
  private static final List<String> RULE_KEYS =
      Arrays.asList(
          "name",
          "path",
          "methods",
          "limit",
          "ip",
          "user",
          "cost",
          "algorithm",
          "dry-run",
          "before-filters");
  private static final List<String> USER_ID_KEYS = Arrays.asList("attribute", "principal");
  private static final List<String> HEADER_KEYS =
      Arrays.asList("enabled", "style", "limit", "remaining", "reset", "retry-after");
  private static final List<String> RESPONSE_KEYS = Arrays.asList("status", "content-type", "body");
  private static final List<String> MEMORY_KEYS = Collections.singletonList("max-keys");
  private static final List<String> REDIS_KEYS = Arrays.asList("timeout", "on-error", "cluster");
  private static final List<String> METRICS_KEYS = Collections.singletonList("prometheus-port");
  private static final List<String> LOG_LEVELS = Arrays.asList("debug", "info", "warn", "error");

  /** Deepest nesting of mappings and lists; a rules file uses four or five levels. */
  static final int MAX_NESTING = 64;

  private final String file;
  private final Function<String, String> environment;
  private final List<ConfigProblem> problems = new ArrayList<>();
  /** Scalars whose value came from the environment: node -> {as written, as substituted}. */
  private final Map<Node, String[]> substituted = new IdentityHashMap<>();
  /** Largest limit x window-ms a rate may have: lower with Redis, whose Lua counts in doubles. */
  private long maxLimitTimesWindow = Rate.MAX_LIMIT_TIMES_WINDOW;

  private ConfigLoader(String file, Function<String, String> environment) {
    this.file = file;
    this.environment = environment;
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
    ConfigLoader loader = new ConfigLoader(file, environment);
    AgentConfig config = loader.read(text);
    if (!loader.problems.isEmpty()) {
      // in file order, whatever order they were found in
      loader.problems.sort(
          (a, b) -> a.line() != b.line() ? a.line() - b.line() : a.column() - b.column());
      throw new ConfigException(loader.problems);
    }
    return config;
  }

  private static ConfigException single(String file, String message) {
    return new ConfigException(
        Collections.singletonList(new ConfigProblem(file, 0, 0, message)));
  }

  private AgentConfig read(String text) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file)
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(50)
            .setCodePointLimit(RulesFile.MAX_BYTES)
            .build();
    Optional<Node> document;
    try {
      // the composer recurses once per level: bound the depth before it runs
      Mark tooDeep = firstTooDeep(new Parse(settings).parseString(text));
      if (tooDeep != null) {
        problemAt(
            tooDeep,
            "YAML nested deeper than "
                + MAX_NESTING
                + " levels; a rules file needs a few (is a bracket or indentation wrong?)");
        return null;
      }
      document = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
      String what = e.getProblem() == null ? e.getMessage() : e.getProblem();
      if (e.getContext() != null) {
        what = e.getContext() + ": " + what;
      }
      problemAt(mark, "YAML syntax: " + what);
      return null;
    } catch (YamlEngineException e) {
      problems.add(new ConfigProblem(file, 0, 0, "YAML: " + e.getMessage()));
      return null;
    }
    if (!document.isPresent()) {
      problems.add(new ConfigProblem(file, 0, 0, "the file is empty; it needs at least 'rules:'"));
      return null;
    }
    Node root = document.get();
    Map<String, Node> top = mapping(root, "the top level", TOP_KEYS);
    if (top == null) {
      return null;
    }
    RedisSettings redis = redis(top);
    if (redis != null) {
      maxLimitTimesWindow = RedisBackend.MAX_LIMIT_TIMES_WINDOW;
    }
    String keyPrefix = keyPrefix(top.get("key-prefix"));
    Algorithm defaultAlgorithm = algorithm(top.get("algorithm"), Algorithm.SLIDING_WINDOW);
    boolean defaultDryRun = bool(top.get("dry-run"), false);

    String userIdAttribute = "user_id";
    boolean principal = false;
    Map<String, Node> userId = mapping(top.get("user-id"), "user-id", USER_ID_KEYS);
    if (userId != null) {
      principal = bool(userId.get("principal"), false);
      if (userId.containsKey("attribute")) {
        userIdAttribute = nonEmptyString(userId.get("attribute"), "a request attribute name");
        if (principal) {
          problem(
              userId.get("attribute"),
              "'attribute' and 'principal: true' exclude each other; keep one");
        }
      }
    }

    List<CidrBlock> exempt = new ArrayList<>();
    for (Node entry : list(top.get("exempt-ips"), "exempt-ips")) {
      String value = string(entry);
      if (value != null) {
        try {
          exempt.add(CidrBlock.parse(value));
        } catch (IllegalArgumentException e) {
          problem(entry, e.getMessage());
        }
      }
    }
    int trustedProxies = integer(top.get("trusted-proxies"), 0, 0, 16);
    int ipv6Prefix = integer(top.get("ipv6-prefix"), 64, 1, 128);

    RateLimitHeaders headers = headers(top.get("headers"));
    BlockedResponse response = response(top.get("response"));
    int maxKeys = MemoryBackend.DEFAULT_MAX_KEYS;
    Map<String, Node> memory = mapping(top.get("memory"), "memory", MEMORY_KEYS);
    if (memory != null) {
      maxKeys = integer(memory.get("max-keys"), maxKeys, 1000, 100_000_000);
    }

    boolean reload = bool(top.get("reload"), true);
    String logLevel = "info";
    if (top.containsKey("log-level")) {
      String level = nonEmptyString(top.get("log-level"), "a log level");
      if (level != null && !LOG_LEVELS.contains(level)) {
        problem(top.get("log-level"), "unknown log-level '" + level + "'; valid: " + LOG_LEVELS);
      } else if (level != null) {
        logLevel = level;
      }
    }
    int prometheusPort = 0;
    Map<String, Node> metrics = mapping(top.get("metrics"), "metrics", METRICS_KEYS);
    if (metrics != null) {
      prometheusPort = integer(metrics.get("prometheus-port"), 0, 0, 65535);
    }

    String backend = redis != null ? Backends.REDIS : Backends.MEMORY;
    if (top.containsKey("backend")) {
      String name = nonEmptyString(top.get("backend"), "a backend name or class");
      if (name != null && redis != null && !name.equals(Backends.REDIS)) {
        problem(
            top.get("backend"),
            "'backend: " + name + "' and 'redis-url' exclude each other; keep one");
      } else if (name != null && redis == null && name.equals(Backends.REDIS)) {
        problem(top.get("backend"), "'backend: redis' needs 'redis-url', e.g. redis://localhost:6379");
      } else if (name != null) {
        backend = name;
      }
    }
    Map<String, String> backendOptions = new LinkedHashMap<>();
    Node optionsNode = top.get("backend-options");
    if (optionsNode != null && !(optionsNode instanceof MappingNode)) {
      problem(optionsNode, "backend-options must be a mapping of names to values");
    } else if (optionsNode != null) {
      for (NodeTuple tuple : ((MappingNode) optionsNode).getValue()) {
        String key = string(tuple.getKeyNode());
        String value = string(tuple.getValueNode());
        if (key != null && value != null) {
          backendOptions.put(key, value);
        }
      }
    }

    List<RateLimitRule> rules = new ArrayList<>();
    Node rulesNode = top.get("rules");
    if (rulesNode == null) {
      problemAt(
          root.getStartMark().orElse(null),
          "'rules' is missing: list at least one rule, e.g. rules: [{path: /login, limit: 5/min}]");
    } else {
      Set<String> names = new HashSet<>();
      for (Node ruleNode : list(rulesNode, "rules")) {
        RateLimitRule rule = rule(ruleNode, rules.size(), defaultAlgorithm, defaultDryRun);
        if (rule != null) {
          if (!names.add(rule.name())) {
            problem(
                ruleNode,
                "two rules are named '"
                    + rule.name()
                    + "'; give each rule its own 'name' (counters are keyed by it)");
          }
          rules.add(rule);
        }
      }
    }
    return new AgentConfig(
        file,
        new RuleSet(rules),
        keyPrefix,
        principal ? null : userIdAttribute,
        principal,
        new ClientIpResolver(trustedProxies, exempt, ipv6Prefix),
        headers,
        response,
        maxKeys,
        reload,
        logLevel,
        prometheusPort,
        backend,
        backendOptions,
        redis);
  }

  /** Where the first collection nested deeper than {@link #MAX_NESTING} starts, or null. */
  private static Mark firstTooDeep(Iterable<Event> events) {
    int depth = 0;
    for (Event event : events) {
      Event.ID id = event.getEventId();
      if (id == Event.ID.MappingStart || id == Event.ID.SequenceStart) {
        if (++depth > MAX_NESTING) {
          return event.getStartMark().orElse(null);
        }
      } else if (id == Event.ID.MappingEnd || id == Event.ID.SequenceEnd) {
        depth--;
      }
    }
    return null;
  }

  private static boolean validUri(String uri) {
    try {
      new java.net.URI(uri);
      return true;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** The Redis settings, or null when the file has no redis-url. */
  private RedisSettings redis(Map<String, Node> top) {
    Map<String, Node> settings = mapping(top.get("redis"), "redis", REDIS_KEYS);
    Node urlNode = top.get("redis-url");
    if (urlNode == null) {
      if (settings != null) {
        problem(top.get("redis"), "'redis' settings need 'redis-url', e.g. redis://localhost:6379");
      }
      return null;
    }
    long timeout = 50;
    RedisSettings.OnError onError = RedisSettings.OnError.ALLOW;
    boolean cluster = false;
    if (settings != null) {
      if (settings.containsKey("timeout")) {
        String text = nonEmptyString(settings.get("timeout"), "a duration");
        if (text != null) {
          try {
            timeout = Durations.parseMillis(text);
            if (timeout < 1 || timeout > 60_000) {
              problem(settings.get("timeout"), "redis.timeout must be from 1ms to 60s");
            }
          } catch (IllegalArgumentException e) {
            problem(settings.get("timeout"), e.getMessage());
          }
        }
      }
      if (settings.containsKey("on-error")) {
        String text = nonEmptyString(settings.get("on-error"), "allow, deny or local");
        if ("allow".equals(text)) {
          onError = RedisSettings.OnError.ALLOW;
        } else if ("deny".equals(text)) {
          onError = RedisSettings.OnError.DENY;
        } else if ("local".equals(text)) {
          onError = RedisSettings.OnError.LOCAL;
        } else if (text != null) {
          problem(
              settings.get("on-error"),
              "unknown on-error '"
                  + text
                  + "'; valid: allow (fail open), deny (fail closed), local (limit in memory)");
        }
      }
      cluster = bool(settings.get("cluster"), false);
    }
    List<Node> urlNodes =
        urlNode instanceof SequenceNode ? list(urlNode, "redis-url") : Collections.singletonList(urlNode);
    List<String> uris = new ArrayList<>();
    for (Node node : urlNodes) {
      String uri = nonEmptyString(node, "a Redis URL");
      if (uri == null) {
        continue;
      }
      if (!uri.startsWith("redis://")
          && !uri.startsWith("rediss://")
          && !uri.startsWith("redis-sentinel://")) {
        problem(
            node,
            "invalid redis-url '"
                + RedisSettings.mask(asWritten(node, uri))
                + "': write redis://[:password@]host:port[/database], rediss://... for TLS or"
                + " redis-sentinel://host:port[,host:port]/database#master");
      } else if (!validUri(uri)) {
        problem(
            node,
            "invalid redis-url '"
                + RedisSettings.mask(asWritten(node, uri))
                + "': not a valid URI; percent-encode special characters of the password"
                + " (e.g. %5E for ^, %20 for a space)");
      } else {
        uris.add(uri);
      }
    }
    if (uris.isEmpty()) {
      if (urlNodes.isEmpty()) {
        problem(urlNode, "redis-url lists no URL");
      }
      return null;
    }
    return new RedisSettings(uris, cluster, timeout, onError);
  }

  private RateLimitRule rule(
      Node node, int index, Algorithm defaultAlgorithm, boolean defaultDryRun) {
    Map<String, Node> keys = mapping(node, "a rule", RULE_KEYS);
    if (keys == null) {
      return null;
    }
    int before = problems.size();
    PathPattern path = null;
    if (!keys.containsKey("path")) {
      problem(node, "the rule has no 'path'; add one, e.g. path: /login or path: /api/**");
    } else {
      String text = nonEmptyString(keys.get("path"), "a path");
      if (text != null) {
        try {
          path = PathPattern.compile(text);
        } catch (IllegalArgumentException e) {
          problem(keys.get("path"), e.getMessage());
        }
      }
    }
    String[] methods = methods(keys.get("methods"));
    if (keys.containsKey("limit") && keys.containsKey("ip")) {
      problem(keys.get("limit"), "'limit' is shorthand for 'ip'; write one of them, not both");
    }
    Rate ipRate = rate(keys.containsKey("ip") ? keys.get("ip") : keys.get("limit"));
    Rate userRate = rate(keys.get("user"));
    if (!keys.containsKey("ip") && !keys.containsKey("limit") && !keys.containsKey("user")) {
      problem(node, "the rule limits nothing; add 'limit: 10/min' (per IP) or 'user: 100/min'");
    }
    long cost = integer(keys.get("cost"), 1, 1, Integer.MAX_VALUE);
    for (Rate rate : new Rate[] {ipRate, userRate}) {
      if (rate != null && cost > rate.limit()) {
        problem(
            keys.get("cost"),
            "cost " + cost + " is above the limit " + rate + ": no request could ever pass");
      }
    }
    Algorithm algorithm = algorithm(keys.get("algorithm"), defaultAlgorithm);
    boolean dryRun = bool(keys.get("dry-run"), defaultDryRun);
    boolean beforeFilters = bool(keys.get("before-filters"), false);
    if (beforeFilters && keys.containsKey("user")) {
      problem(
          keys.get("user"),
          "a before-filters rule runs before the app's filters have found the user; limit it"
              + " per IP, or drop before-filters to limit per user");
    }
    String name = null;
    if (keys.containsKey("name")) {
      name = nonEmptyString(keys.get("name"), "a rule name");
      if (name != null && !validName(name)) {
        problem(
            keys.get("name"),
            "invalid rule name '"
                + name
                + "': use up to 100 letters, digits and . _ - / : characters");
      }
    } else if (path != null) {
      name = defaultName(path, methods);
    }
    if (problems.size() > before || path == null || name == null) {
      return null;
    }
    return new RateLimitRule(
        index, name, path, methods, ipRate, userRate, cost, algorithm, dryRun, beforeFilters);
  }

  /** Stable across restarts and instances: counters of every instance meet under it. */
  private static String defaultName(PathPattern path, String[] methods) {
    // canonical, so /login and /login/ are one name (and a duplicate if both are written)
    String canonical = PathPattern.normalize(path.toString());
    if (methods == null) {
      return canonical;
    }
    String[] sorted = methods.clone();
    Arrays.sort(sorted);
    return String.join(",", sorted) + " " + canonical;
  }

  private static boolean validName(String name) {
    if (name.length() > 100) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok =
          Character.isLetterOrDigit(ch)
              || ch == '.'
              || ch == '_'
              || ch == '-'
              || ch == '/'
              || ch == ':'
              || ch == '*';
      if (!ok || ch > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private String[] methods(Node node) {
    if (node == null) {
      return null;
    }
    List<Node> entries =
        node instanceof ScalarNode ? Collections.singletonList(node) : list(node, "methods");
    Set<String> methods = new TreeSet<>();
    for (Node entry : entries) {
      String method = string(entry);
      if (method == null) {
        continue;
      }
      String upper = method.trim().toUpperCase(Locale.ROOT);
      if (upper.isEmpty() || !upper.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')) {
        problem(entry, "invalid method '" + method + "': write an HTTP method such as GET or POST");
      } else {
        methods.add(upper);
      }
    }
    return methods.isEmpty() ? null : methods.toArray(new String[0]);
  }

  private Rate rate(Node node) {
    if (node == null) {
      return null;
    }
    String text = string(node);
    if (text == null) {
      return null;
    }
    try {
      Rate rate = Rate.parse(text);
      if (rate.limit() > maxLimitTimesWindow / rate.windowMillis()) {
        problem(
            node,
            "invalid rate '"
                + text
                + "': too large for exact counting in Redis; use a shorter window with a"
                + " proportional limit (e.g. 1000/s rather than 86400000/day)");
        return null;
      }
      return rate;
    } catch (IllegalArgumentException e) {
      problem(node, e.getMessage());
      return null;
    }
  }

  private Algorithm algorithm(Node node, Algorithm fallback) {
    if (node == null) {
      return fallback;
    }
    String text = string(node);
    if (text == null) {
      return fallback;
    }
    Algorithm algorithm = Algorithm.fromConfigName(text.trim());
    if (algorithm == null) {
      problem(
          node,
          "unknown algorithm '" + text + "'; valid: " + Algorithm.configNames());
      return fallback;
    }
    return algorithm;
  }

  private String keyPrefix(Node node) {
    if (node == null) {
      return "fastlimit";
    }
    String prefix = nonEmptyString(node, "a key prefix");
    if (prefix != null && (prefix.length() > 64 || !prefix.matches("[A-Za-z0-9._:-]+"))) {
      problem(
          node,
          "invalid key-prefix '" + prefix + "': use up to 64 letters, digits and . _ : -");
    }
    return prefix == null ? "fastlimit" : prefix;
  }

  private RateLimitHeaders headers(Node node) {
    Map<String, Node> keys = mapping(node, "headers", HEADER_KEYS);
    if (keys == null) {
      return RateLimitHeaders.defaults();
    }
    RateLimitHeaders.Style style = RateLimitHeaders.Style.X_RATELIMIT;
    if (keys.containsKey("style")) {
      String text = nonEmptyString(keys.get("style"), "a header style");
      RateLimitHeaders.Style parsed =
          text == null ? null : RateLimitHeaders.Style.fromConfigName(text);
      if (parsed == null && text != null) {
        problem(
            keys.get("style"),
            "unknown header style '" + text + "'; valid: x-ratelimit, ietf, both");
      } else if (parsed != null) {
        style = parsed;
      }
    }
    return new RateLimitHeaders(
        bool(keys.get("enabled"), true),
        style,
        headerName(keys.get("limit"), "X-RateLimit-Limit"),
        headerName(keys.get("remaining"), "X-RateLimit-Remaining"),
        headerName(keys.get("reset"), "X-RateLimit-Reset"),
        headerName(keys.get("retry-after"), "Retry-After"));
  }

  private String headerName(Node node, String fallback) {
    if (node == null) {
      return fallback;
    }
    String name = nonEmptyString(node, "a header name");
    if (name == null) {
      return fallback;
    }
    if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      problem(node, "invalid header name '" + name + "': letters, digits and - only, e.g. X-Limit");
      return fallback;
    }
    return name;
  }

  private BlockedResponse response(Node node) {
    Map<String, Node> keys = mapping(node, "response", RESPONSE_KEYS);
    if (keys == null) {
      return BlockedResponse.defaults();
    }
    int status = integer(keys.get("status"), 429, 400, 599);
    String contentType =
        keys.containsKey("content-type")
            ? nonEmptyString(keys.get("content-type"), "a content type")
            : "application/json";
    if (contentType != null && BlockedResponse.hasControlCharacter(contentType)) {
      problem(
          keys.get("content-type"),
          "invalid content-type '"
              + printable(contentType)
              + "': control characters such as line breaks cannot be part of a header value");
      contentType = null;
    }
    String body =
        keys.containsKey("body") ? string(keys.get("body")) : BlockedResponse.DEFAULT_BODY;
    return new BlockedResponse(
        status,
        contentType == null ? "application/json" : contentType,
        body == null ? "" : body);
  }

  // ---- typed access to YAML nodes, recording a problem at the node when the type is wrong

  private Map<String, Node> mapping(Node node, String what, List<String> allowed) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode)) {
      problem(node, what + " must be a mapping of keys (" + String.join(", ", allowed) + ")");
      return null;
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode)) {
        problem(keyNode, "keys in " + what + " must be plain names");
        continue;
      }
      String key = ((ScalarNode) keyNode).getValue();
      if (!allowed.contains(key)) {
        problem(
            keyNode,
            "unknown key '"
                + key
                + "' in "
                + what
                + suggestion(key, allowed)
                + "; valid keys: "
                + String.join(", ", allowed));
      } else if (out.put(key, tuple.getValueNode()) != null) {
        problem(keyNode, "'" + key + "' appears twice in " + what);
      }
    }
    return out;
  }

  private static String suggestion(String key, List<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : allowed) {
      int distance = editDistance(key.toLowerCase(Locale.ROOT), candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private List<Node> list(Node node, String what) {
    if (node == null) {
      return Collections.emptyList();
    }
    if (!(node instanceof SequenceNode)) {
      problem(node, what + " must be a list, e.g. [a, b] or lines starting with '- '");
      return Collections.emptyList();
    }
    return ((SequenceNode) node).getValue();
  }

  private String string(Node node) {
    if (!(node instanceof ScalarNode)) {
      problem(node, "expected a single value here, not a list or mapping");
      return null;
    }
    String written = ((ScalarNode) node).getValue();
    String value = substitute(node, written);
    if (!value.equals(written)) {
      substituted.put(node, new String[] {written, value});
    }
    return value;
  }

  private String nonEmptyString(Node node, String what) {
    String value = string(node);
    if (value != null && value.trim().isEmpty()) {
      problem(node, "expected " + what + ", found an empty value");
      return null;
    }
    return value == null ? null : value.trim();
  }

  private boolean bool(Node node, boolean fallback) {
    if (node == null) {
      return fallback;
    }
    String value = string(node);
    if ("true".equals(value)) {
      return true;
    }
    if ("false".equals(value)) {
      return false;
    }
    if (value != null) {
      problem(node, "expected true or false, found '" + value + "'");
    }
    return fallback;
  }

  private int integer(Node node, int fallback, int min, int max) {
    if (node == null) {
      return fallback;
    }
    String value = string(node);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(node, "expected a whole number from " + min + " to " + max + ", found '" + value + "'");
    return fallback;
  }

  /**
   * Replaces {@code ${VAR}} and {@code ${VAR:-default}} with the environment's values; {@code $${}
   * is a literal {@code ${}.
   */
  private String substitute(Node node, String value) {
    int start = value.indexOf("${");
    if (start < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    while (start >= 0) {
      if (start > from && value.charAt(start - 1) == '$') {
        out.append(value, from, start - 1).append("${");
        from = start + 2;
        start = value.indexOf("${", from);
        continue;
      }
      int end = value.indexOf('}', start);
      if (end < 0) {
        problem(
            node,
            "unclosed '${' in '"
                + value
                + "'; write ${NAME} or ${NAME:-default}, or $${ for a literal ${");
        return value;
      }
      out.append(value, from, start);
      String expression = value.substring(start + 2, end);
      int dash = expression.indexOf(":-");
      String name = dash < 0 ? expression : expression.substring(0, dash);
      String replacement = environment.apply(name);
      if (replacement == null || (dash >= 0 && replacement.isEmpty())) {
        replacement = dash < 0 ? null : expression.substring(dash + 2);
      }
      if (replacement == null) {
        problem(
            node,
            "environment variable '" + name + "' is not set; set it or write ${" + name
                + ":-default}");
        replacement = "";
      }
      out.append(replacement);
      from = end + 1;
      start = value.indexOf("${", from);
    }
    return out.append(value.substring(from)).toString();
  }

  /**
   * A message about a value that came from the environment, quoting the file's own text instead:
   * the value may be a secret. Quoted fragments of it (a parser's "unknown unit 'x'") go too.
   */
  private static String quotingTheFile(String message, String written, String value) {
    String shown = written.trim();
    String out = message;
    String trimmed = value.trim();
    if (!value.isEmpty()) {
      out = out.replace("'" + value + "'", "'" + shown + "'");
    }
    if (!trimmed.isEmpty()) {
      out = out.replace("'" + trimmed + "'", "'" + shown + "'");
    }
    if (trimmed.length() >= 4) {
      out = out.replace(trimmed, shown);
    }
    StringBuilder result = new StringBuilder(out.length());
    int from = 0;
    int open = out.indexOf('\'');
    while (open >= 0) {
      int close = out.indexOf('\'', open + 1);
      if (close < 0) {
        break;
      }
      String quoted = out.substring(open + 1, close);
      result.append(out, from, open + 1);
      boolean fromValue = !quoted.isEmpty() && value.contains(quoted) && !written.contains(quoted);
      result.append(fromValue ? "(from the environment, not shown)" : quoted).append('\'');
      from = close + 1;
      open = out.indexOf('\'', from);
    }
    return result.append(out.substring(from)).toString();
  }

  /** Control characters as escapes, so a message shows a value on one line as it was written. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\r') {
        out.append("\\r");
      } else if (ch == '\n') {
        out.append("\\n");
      } else if (ch == '\t') {
        out.append("\\t");
      } else if (ch < 0x20 || ch == 0x7f) {
        out.append(String.format("\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /** The scalar's text as the file writes it, before {@code ${VAR}} substitution. */
  private String asWritten(Node node, String value) {
    String[] fromEnvironment = substituted.get(node);
    return fromEnvironment == null ? value : fromEnvironment[0].trim();
  }

  private void problem(Node node, String message) {
    String[] fromEnvironment = node == null ? null : substituted.get(node);
    if (fromEnvironment != null) {
      message = quotingTheFile(message, fromEnvironment[0], fromEnvironment[1]);
    }
    problemAt(node == null ? null : node.getStartMark().orElse(null), message);
  }

  private void problemAt(Mark mark, String message) {
    if (mark == null) {
      problems.add(new ConfigProblem(file, 0, 0, message));
    } else {
      problems.add(new ConfigProblem(file, mark.getLine() + 1, mark.getColumn() + 1, message));
    }
  }
}
