package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fastlimit.agent.client.CidrBlock;
import io.fastlimit.agent.client.IpAddress;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static final String FILE = "rules.yaml";
  private static final Function<String, String> NO_ENV = name -> null;

  private static AgentConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, FILE, NO_ENV);
  }

  private static AgentConfig load(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigLoader.parse(yaml, FILE, env::get);
  }

  private static List<ConfigProblem> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private static List<ConfigProblem> problems(String yaml, Map<String, String> env) {
    ConfigException failure =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, env::get));
    assertThat(failure).as("a problem is reported").isNotNull();
    assertThat(failure.problems()).isNotEmpty();
    return failure.problems();
  }

  /** The only problem of a file that has exactly one. */
  private static ConfigProblem problem(String yaml) {
    List<ConfigProblem> problems = problems(yaml);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  private static void assertAt(ConfigProblem problem, int line, int column) {
    assertThat(problem.file()).isEqualTo(FILE);
    assertThat(problem.line()).as("line of: %s", problem).isEqualTo(line);
    assertThat(problem.column()).as("column of: %s", problem).isEqualTo(column);
  }

  private static RateLimitRule rule(AgentConfig config, String name) {
    return config.rules().rules().stream()
        .filter(rule -> rule.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rule named " + name));
  }

  @Test
  void loadsAFullFile() throws ConfigException {
    AgentConfig config =
        load(
            """
            key-prefix: shop
            algorithm: fixed-window
            dry-run: false
            user-id:
              attribute: uid
            exempt-ips: [127.0.0.1, 10.0.0.0/8, "::1"]
            trusted-proxies: 2
            ipv6-prefix: 56
            headers:
              enabled: true
              limit: RateLimit-Limit
              remaining: RateLimit-Remaining
              reset: RateLimit-Reset
              retry-after: Retry-After
            response:
              status: 503
              content-type: text/plain
              body: 'slow down, retry in {retry_after}s'
            memory:
              max-keys: 5000
            reload: false
            log-level: warn
            metrics:
              prometheus-port: 9464
            rules:
              - name: upload
                path: /upload
                methods: [post, PUT]
                ip: 5/min
                user: 50/min
                cost: 2
                algorithm: token-bucket
                dry-run: true
              - path: /register
                limit: 10/min
              - path: /api/**
                methods: GET
                user: 100/hour
            """);

    assertThat(config.source()).isEqualTo(FILE);
    assertThat(config.keyPrefix()).isEqualTo("shop");
    assertThat(config.userIdAttribute()).isEqualTo("uid");
    assertThat(config.userIdFromPrincipal()).isFalse();
    assertThat(config.clientIp().trustedProxies()).isEqualTo(2);
    assertThat(config.clientIp().resolve("10.1.2.3", null)).isNull();
    assertThat(config.clientIp().resolve("::1", null)).isNull();
    assertThat(config.clientIp().resolve("11.1.2.3", null)).isNotNull();
    assertThat(config.clientIp().resolve("2001:db8:1:2ff::1", null))
        .isEqualTo(IpAddress.format(IpAddress.parse("2001:db8:1:200::"), 56));
    assertThat(config.headers().enabled()).isTrue();
    assertThat(config.headers().allowedNames())
        .containsExactly("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset");
    assertThat(config.headers().blockedNames()).endsWith("Retry-After");
    assertThat(config.response().status()).isEqualTo(503);
    assertThat(config.response().contentType()).isEqualTo("text/plain");
    assertThat(
            new String(
                config.response().body(4, 5, "upload"), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("slow down, retry in 4s");
    assertThat(config.memoryMaxKeys()).isEqualTo(5000);
    assertThat(config.reload()).isFalse();
    assertThat(config.logLevel()).isEqualTo(LogLevel.WARN);
    assertThat(config.prometheusPort()).isEqualTo(9464);

    assertThat(config.rules().rules())
        .extracting(RateLimitRule::name)
        .containsExactly("upload", "/register", "GET /api/**");
    RateLimitRule upload = rule(config, "upload");
    assertThat(upload.index()).isZero();
    assertThat(upload.path().exactPath()).isEqualTo("/upload");
    assertThat(upload.methods()).containsExactly("POST", "PUT");
    assertThat(upload.ipRate()).isEqualTo(Rate.parse("5/min"));
    assertThat(upload.userRate()).isEqualTo(Rate.parse("50/min"));
    assertThat(upload.cost()).isEqualTo(2);
    assertThat(upload.algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
    assertThat(upload.dryRun()).isTrue();
    RateLimitRule register = rule(config, "/register");
    assertThat(register.ipRate()).isEqualTo(Rate.parse("10/min"));
    assertThat(register.userRate()).isNull();
    assertThat(register.methods()).isNull();
    assertThat(register.cost()).isEqualTo(1);
    assertThat(register.algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
    assertThat(register.dryRun()).isFalse();
    RateLimitRule api = rule(config, "GET /api/**");
    assertThat(api.ipRate()).isNull();
    assertThat(api.userRate()).isEqualTo(Rate.parse("100/hour"));
    assertThat(api.path().matches("/api/a/b")).isTrue();
  }

  @Test
  void minimalFileGetsTheDocumentedDefaults() throws ConfigException {
    AgentConfig config = load("rules:\n  - path: /login\n    limit: 5/min\n");

    assertThat(config.keyPrefix()).isEqualTo("fastlimit");
    assertThat(config.userIdAttribute()).isEqualTo("user_id");
    assertThat(config.userIdFromPrincipal()).isFalse();
    assertThat(config.clientIp().trustedProxies()).isZero();
    assertThat(config.headers().enabled()).isTrue();
    assertThat(config.headers().blockedNames())
        .containsExactly(
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After");
    assertThat(config.response().status()).isEqualTo(429);
    assertThat(config.response().contentType()).isEqualTo("application/json");
    assertThat(config.reload()).isTrue();
    assertThat(config.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(config.prometheusPort()).isZero();
    RateLimitRule login = config.rules().rules().get(0);
    assertThat(login.name()).isEqualTo("/login");
    assertThat(login.algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
    assertThat(login.dryRun()).isFalse();
  }

  @Test
  void principalReplacesTheAttribute() throws ConfigException {
    AgentConfig config =
        load("user-id:\n  principal: true\nrules:\n  - path: /a\n    user: 5/min\n");

    assertThat(config.userIdFromPrincipal()).isTrue();
    assertThat(config.userIdAttribute()).isNull();
  }

  @Test
  void globalDryRunAndAlgorithmApplyToRulesThatDoNotOverrideThem() throws ConfigException {
    AgentConfig config =
        load(
            """
            dry-run: true
            algorithm: token-bucket
            rules:
              - path: /a
                limit: 1/s
              - path: /b
                limit: 1/s
                dry-run: false
                algorithm: sliding-window
            """);

    assertThat(rule(config, "/a").dryRun()).isTrue();
    assertThat(rule(config, "/a").algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
    assertThat(rule(config, "/b").dryRun()).isFalse();
    assertThat(rule(config, "/b").algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
  }

  // ---- problems: where, and what to write instead

  @Test
  void unknownKeyIsReportedWhereItIsWithADidYouMean() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: /login
                limit: 5/min
                cots: 2
            """);

    assertAt(problem, 4, 5);
    assertThat(problem.message())
        .contains("unknown key 'cots' in a rule")
        .contains("did you mean 'cost'?")
        .contains("valid keys: name, path, methods, limit, ip, user, cost, algorithm, dry-run");
  }

  @Test
  void misspelledLimitIsReportedAlongWithTheRuleThatNowLimitsNothing() {
    List<ConfigProblem> problems =
        problems(
            """
            rules:
              - path: /login
                lmit: 5/min
            """);

    // reported in file order
    assertThat(problems).hasSize(2);
    assertAt(problems.get(0), 2, 5);
    assertThat(problems.get(0).message())
        .contains("the rule limits nothing")
        .contains("limit: 10/min");
    assertAt(problems.get(1), 3, 5);
    assertThat(problems.get(1).message()).contains("'lmit'").contains("did you mean 'limit'?");
  }

  @Test
  void unknownTopLevelKeyWithNoCloseMatchListsTheValidKeys() {
    List<ConfigProblem> problems = problems("colour: blue\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertThat(problems).hasSize(1);
    assertAt(problems.get(0), 1, 1);
    assertThat(problems.get(0).message())
        .contains("unknown key 'colour' in the top level")
        .doesNotContain("did you mean")
        .contains("rules");
  }

  @Test
  void listWhereAValueBelongsIsReportedAtTheList() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: [/a, /b]
                limit: 5/min
            """);

    assertAt(problem, 2, 11);
    assertThat(problem.message()).contains("expected a single value here, not a list or mapping");
  }

  @Test
  void valueWhereAListBelongsIsReported() {
    ConfigProblem problem = problem("rules: /login\n");

    assertAt(problem, 1, 8);
    assertThat(problem.message()).contains("rules must be a list");
  }

  @Test
  void scalarWhereAMappingBelongsIsReported() {
    ConfigProblem problem = problem("headers: yes\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertAt(problem, 1, 10);
    assertThat(problem.message())
        .contains("headers must be a mapping of keys (")
        .contains("enabled")
        .contains("retry-after");
  }

  @Test
  void badRateIsReportedAtItsValueWithTheValidForm() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: /login
                limit: 10/fortnight
            """);

    assertAt(problem, 3, 12);
    assertThat(problem.message())
        .contains("invalid rate '10/fortnight'")
        .contains("e.g. 10/min, 100/hour, 3/5min");
  }

  @Test
  void numberWithoutUnitIsABadRate() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n    user: 10\n");

    assertAt(problem, 3, 11);
    assertThat(problem.message()).contains("invalid rate '10'").contains("N/unit");
  }

  @Test
  void badPathIsReportedAtItsValue() {
    ConfigProblem problem = problem("rules:\n  - path: api/**\n    limit: 1/s\n");

    assertAt(problem, 2, 11);
    assertThat(problem.message()).contains("invalid path 'api/**'").contains("e.g. /login");
  }

  @Test
  void doubleStarInsideASegmentIsABadPath() {
    ConfigProblem problem = problem("rules:\n  - path: /api/**.json\n    limit: 1/s\n");

    assertAt(problem, 2, 11);
    assertThat(problem.message()).contains("'**' must be a whole segment");
  }

  @Test
  void badCidrIsReportedAtItsEntry() {
    ConfigProblem problem =
        problem("exempt-ips: [127.0.0.1, 10.0.0.0/33]\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertAt(problem, 1, 25);
    assertThat(problem.message()).contains("invalid CIDR '10.0.0.0/33'").contains("0 to 32");
  }

  @Test
  void hostNameIsNotAnExemptAddress() {
    ConfigProblem problem =
        problem("exempt-ips:\n  - localhost\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertAt(problem, 2, 5);
    assertThat(problem.message()).contains("invalid address 'localhost'").contains("10.0.0.0/8");
  }

  @Test
  void badAlgorithmListsTheValidOnes() {
    ConfigProblem problem =
        problem("rules:\n  - path: /a\n    limit: 1/s\n    algorithm: leaky-bucket\n");

    assertAt(problem, 4, 16);
    assertThat(problem.message())
        .contains("unknown algorithm 'leaky-bucket'")
        .contains("valid: sliding-window, fixed-window, token-bucket, sliding-log");
  }

  @Test
  void slidingLogIsAnAlgorithmGlobalAndPerRule() throws ConfigException {
    AgentConfig config =
        load(
            """
            algorithm: sliding-log
            rules:
              - path: /a
                limit: 1000/min
              - path: /b
                limit: 5/min
                algorithm: fixed-window
              - path: /c
                limit: 2000/min
                algorithm: sliding-window
            """);

    assertThat(rule(config, "/a").algorithm()).isEqualTo(Algorithm.SLIDING_LOG);
    assertThat(rule(config, "/b").algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
    assertThat(rule(config, "/c").algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
  }

  @Test
  void slidingLogLimitAboveTheMaximumIsReportedAtTheRateWithTheAlternative() {
    ConfigProblem problem =
        problem("rules:\n  - path: /a\n    limit: 1001/min\n    algorithm: sliding-log\n");

    assertAt(problem, 3, 12);
    assertThat(problem.message())
        .contains("1001/min")
        .contains("sliding-log")
        .contains("at most 1000")
        .contains("algorithm: sliding-window");
  }

  @Test
  void slidingLogLimitAboveTheMaximumIsReportedForTheGlobalAlgorithmToo() {
    ConfigProblem problem =
        problem("algorithm: sliding-log\nrules:\n  - path: /a\n    user: 5000/hour\n");

    assertAt(problem, 4, 11);
    assertThat(problem.message()).contains("5000/hour").contains("sliding-window");
  }

  @Test
  void costAboveTheLimitIsReportedAtTheCost() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n    limit: 2/min\n    cost: 3\n");

    assertAt(problem, 4, 11);
    assertThat(problem.message()).contains("cost 3 is above the limit 2/min");
  }

  @Test
  void costAboveTheUserLimitIsReportedToo() {
    ConfigProblem problem =
        problem("rules:\n  - path: /a\n    limit: 10/min\n    user: 2/min\n    cost: 3\n");

    assertAt(problem, 5, 11);
    assertThat(problem.message()).contains("above the limit 2/min");
  }

  @Test
  void zeroCostIsRefused() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n    limit: 2/min\n    cost: 0\n");

    assertAt(problem, 4, 11);
    assertThat(problem.message()).contains("expected a whole number from 1");
  }

  @Test
  void limitAndIpTogetherAreRefused() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n    ip: 5/min\n    limit: 5/min\n");

    assertAt(problem, 4, 12);
    assertThat(problem.message()).contains("'limit' is shorthand for 'ip'");
  }

  @Test
  void ruleWithoutPathIsReportedAtTheRule() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: /ok
                limit: 1/s
              - limit: 5/min
                name: nameless
            """);

    assertAt(problem, 4, 5);
    assertThat(problem.message()).contains("the rule has no 'path'").contains("path: /login");
  }

  @Test
  void ruleThatLimitsNothingIsReported() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n    methods: [GET]\n");

    assertAt(problem, 2, 5);
    assertThat(problem.message()).contains("the rule limits nothing");
  }

  @Test
  void duplicateRuleNamesAreRefused() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - name: login
                path: /login
                limit: 5/min
              - name: login
                path: /signin
                limit: 5/min
            """);

    assertAt(problem, 5, 5);
    assertThat(problem.message()).contains("two rules are named 'login'").contains("'name'");
  }

  @Test
  void duplicateDefaultNamesFromTheSamePathAreRefused() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: /login
                limit: 5/min
              - path: /login
                user: 50/min
            """);

    assertAt(problem, 4, 5);
    assertThat(problem.message()).contains("two rules are named '/login'");
  }

  @Test
  void duplicateDefaultNamesFromTheSameMethodsInAnotherOrderAreRefused() {
    ConfigProblem problem =
        problem(
            """
            rules:
              - path: /login
                methods: [POST, GET]
                limit: 5/min
              - path: /login
                methods: [get, post]
                limit: 50/hour
            """);

    assertAt(problem, 5, 5);
    assertThat(problem.message()).contains("two rules are named 'GET,POST /login'");
  }

  @Test
  void samePathWithOtherMethodsIsAnotherRule() throws ConfigException {
    AgentConfig config =
        load(
            """
            rules:
              - path: /login
                methods: [POST]
                limit: 5/min
              - path: /login
                methods: [GET]
                limit: 50/min
            """);

    assertThat(config.rules().rules())
        .extracting(RateLimitRule::name)
        .containsExactly("POST /login", "GET /login");
  }

  @Test
  void duplicateKeyIsRefused() {
    List<ConfigProblem> problems =
        problems("rules:\n  - path: /a\n    limit: 5/min\n    limit: 6/min\n");

    assertThat(problems).hasSize(1);
    assertAt(problems.get(0), 4, 5);
    assertThat(problems.get(0).message()).contains("'limit'").contains("twice");
  }

  @Test
  void yamlSyntaxErrorNamesLineAndColumn() {
    List<ConfigProblem> problems =
        problems(
            """
            rules:
              - path: /a
                limit: [5/min
              - path: /b
            """);

    assertThat(problems).hasSize(1);
    ConfigProblem problem = problems.get(0);
    assertThat(problem.message()).startsWith("YAML syntax: ");
    assertThat(problem.line()).isBetween(3, 5);
    assertThat(problem.column()).isPositive();
  }

  @Test
  void badIndentationIsASyntaxErrorAtItsLine() {
    ConfigProblem problem = problem("rules:\n  - path: /a\n     limit: 5/min\n");

    assertThat(problem.message()).startsWith("YAML syntax: ");
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isPositive();
  }

  @Test
  void tabIndentationIsASyntaxError() {
    ConfigProblem problem = problem("rules:\n\t- path: /a\n");

    assertThat(problem.message()).startsWith("YAML syntax: ");
    assertThat(problem.line()).isEqualTo(2);
  }

  @Test
  void emptyFileIsReportedForTheWholeFile() {
    ConfigProblem problem = problem("");

    assertThat(problem.line()).isZero();
    assertThat(problem.message()).contains("the file is empty").contains("rules:");
    assertThat(problem).hasToString(FILE + ": " + problem.message());
  }

  @Test
  void fileOfCommentsOnlyIsEmpty() {
    assertThat(problem("# nothing yet\n\n# still nothing\n").message()).contains("empty");
  }

  @Test
  void missingRulesIsReported() {
    ConfigProblem problem = problem("key-prefix: shop\n");

    assertAt(problem, 1, 1);
    assertThat(problem.message()).contains("'rules' is missing").contains("path: /login");
  }

  @Test
  void topLevelThatIsNotAMappingIsReported() {
    ConfigProblem problem = problem("- path: /a\n");

    assertAt(problem, 1, 1);
    assertThat(problem.message()).contains("the top level must be a mapping");
  }

  @Test
  void redisSettingsAreReadAndSelectTheRedisBackend() throws ConfigException {
    AgentConfig config =
        load(
            """
            redis-url: redis://:secret@localhost:6379/2
            redis:
              timeout: 80ms
              on-error: local
            rules:
              - path: /a
                limit: 1/s
            """);
    assertThat(config.backend()).isEqualTo("redis");
    assertThat(config.redis().uris()).containsExactly("redis://:secret@localhost:6379/2");
    assertThat(config.redis().timeoutMillis()).isEqualTo(80);
    assertThat(config.redis().onError()).isEqualTo(RedisConfig.OnError.LOCAL);
    assertThat(config.redis().cluster()).isFalse();
    assertThat(config.redis().toString())
        .doesNotContain("secret")
        .contains("redis://***@localhost");
  }

  @Test
  void severalRedisUrlsAreAClusterAndTheDefaultsAreFiftyMillisAndAllow() throws ConfigException {
    AgentConfig config =
        load(
            """
            redis-url: [redis://10.0.0.1:7000, redis://10.0.0.2:7000]
            rules:
              - path: /a
                limit: 1/s
            """);
    assertThat(config.redis().cluster()).isTrue();
    assertThat(config.redis().timeoutMillis()).isEqualTo(50);
    assertThat(config.redis().onError()).isEqualTo(RedisConfig.OnError.ALLOW);
  }

  @Test
  void badRedisSettingsAreReportedWithPositions() {
    List<ConfigProblem> problems =
        problems(
            """
            redis-url: http://localhost:6379
            redis:
              timeout: fast
              on-error: retry
            rules:
              - path: /a
                limit: 1/s
            """);
    assertThat(problems).hasSize(3);
    assertAt(problems.get(0), 1, 12);
    assertThat(problems.get(0).message()).contains("invalid redis-url").contains("redis://");
    assertAt(problems.get(1), 3, 12);
    assertThat(problems.get(1).message()).contains("invalid duration 'fast'");
    assertAt(problems.get(2), 4, 13);
    assertThat(problems.get(2).message()).contains("unknown on-error 'retry'");
  }

  @Test
  void redisSettingsWithoutAUrlAndAConflictingBackendAreErrors() {
    assertThat(problems("redis:\n  timeout: 50ms\nrules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(p -> assertThat(p.message()).contains("need 'redis-url'"));
    assertThat(
            problems("redis-url: redis://h:1\nbackend: memory\nrules: [{path: /a, limit: 1/s}]\n"))
        .anySatisfy(p -> assertThat(p.message()).contains("exclude each other"));
  }

  @Test
  void ratesTooLargeForExactCountingInRedisAreRefusedOnlyWithRedis() throws ConfigException {
    String rules = "rules: [{path: /a, limit: 1000000000/day}]\n";
    assertThat(load(rules).rules().rules()).hasSize(1);
    assertThat(problems("redis-url: redis://h:1\n" + rules))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("too large for exact counting in Redis"));
  }

  @Test
  void environmentVariablesAreSubstituted() throws ConfigException {
    AgentConfig config =
        load(
            """
            key-prefix: ${PREFIX}
            rules:
              - path: /login
                limit: ${LOGIN_LIMIT:-5/min}
              - path: /api/**
                limit: ${API_LIMIT:-100/min}
              - path: /x/${X_PATH}
                limit: "${N}/${UNIT:-s}"
            """,
            Map.of("PREFIX", "shop-eu", "API_LIMIT", "7/hour", "X_PATH", "y", "N", "3"));

    assertThat(config.keyPrefix()).isEqualTo("shop-eu");
    assertThat(rule(config, "/login").ipRate()).isEqualTo(Rate.parse("5/min"));
    assertThat(rule(config, "/api/**").ipRate()).isEqualTo(Rate.parse("7/hour"));
    assertThat(rule(config, "/x/y").path().exactPath()).isEqualTo("/x/y");
    assertThat(rule(config, "/x/y").ipRate()).isEqualTo(Rate.parse("3/s"));
  }

  @Test
  void emptyVariableTakesTheDefault() throws ConfigException {
    AgentConfig config =
        load("rules:\n  - path: /a\n    limit: ${LIMIT:-4/min}\n", Map.of("LIMIT", ""));

    assertThat(config.rules().rules().get(0).ipRate()).isEqualTo(Rate.parse("4/min"));
  }

  @Test
  void unsetVariableIsReportedWithTheDefaultForm() {
    List<ConfigProblem> problems =
        problems("rules:\n  - path: /a\n    limit: ${LOGIN_LIMIT}\n", Map.of());

    assertThat(problems).isNotEmpty();
    assertAt(problems.get(0), 3, 12);
    assertThat(problems.get(0).message())
        .contains("environment variable 'LOGIN_LIMIT' is not set")
        .contains("${LOGIN_LIMIT:-default}");
  }

  @Test
  void unclosedVariableIsReported() {
    ConfigProblem problem =
        problem("response:\n  body: ${DETAIL\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertAt(problem, 2, 9);
    assertThat(problem.message()).contains("unclosed '${'");
  }

  @Test
  void severalProblemsAreReportedTogether() {
    List<ConfigProblem> problems =
        problems(
            """
            algorithm: leaky
            trusted-proxies: 99
            rules:
              - path: /a
                limit: 10/fortnight
              - path: b
                limit: 5/min
              - path: /c
                limit: 1/min
                dry-run: maybe
            """);

    assertThat(problems).extracting(ConfigProblem::line).containsExactly(1, 2, 5, 6, 10);
    assertThat(problems.get(1).message()).contains("from 0 to 16").contains("'99'");
    assertThat(problems.get(4).message()).contains("expected true or false, found 'maybe'");
  }

  @Test
  void exceptionMessageListsEveryProblemInFileLineColumnForm() {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class,
            () -> load("algorithm: leaky\nrules:\n  - path: b\n    limit: 1/s\n"));

    assertThat(failure.getMessage())
        .contains("rules.yaml:1:12: unknown algorithm 'leaky'")
        .contains(System.lineSeparator() + "rules.yaml:3:11: invalid path 'b'");
  }

  @Test
  void problemPrintsAsFileLineColumnMessage() {
    assertThat(new ConfigProblem("a.yaml", 3, 7, "bad")).hasToString("a.yaml:3:7: bad");
    assertThat(new ConfigProblem("a.yaml", 0, 0, "gone")).hasToString("a.yaml: gone");
  }

  @Test
  void attributeAndPrincipalTogetherAreRefused() {
    ConfigProblem problem =
        problem(
            "user-id:\n  attribute: uid\n  principal: true\nrules:\n  - path: /a\n    user: 1/s\n");

    assertAt(problem, 2, 14);
    assertThat(problem.message()).contains("exclude each other");
  }

  @Test
  void invalidMethodIsReported() {
    ConfigProblem problem =
        problem("rules:\n  - path: /a\n    methods: [GET, \"PO ST\"]\n    limit: 1/s\n");

    assertAt(problem, 3, 20);
    assertThat(problem.message()).contains("invalid method 'PO ST'");
  }

  @Test
  void invalidHeaderNameAndKeyPrefixAreReported() {
    List<ConfigProblem> problems =
        problems(
            """
            key-prefix: "my prefix"
            headers:
              limit: "X Limit"
            rules:
              - path: /a
                limit: 1/s
            """);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).message()).contains("invalid key-prefix 'my prefix'");
    assertThat(problems.get(1).message()).contains("invalid header name 'X Limit'");
    assertAt(problems.get(1), 3, 10);
  }

  @Test
  void invalidRuleNameIsReported() {
    ConfigProblem problem = problem("rules:\n  - name: \"a b\"\n    path: /a\n    limit: 1/s\n");

    assertAt(problem, 2, 11);
    assertThat(problem.message()).contains("invalid rule name 'a b'");
  }

  @Test
  void exemptCidrLoadsAsABlock() throws ConfigException {
    AgentConfig config =
        load("exempt-ips: [\"2001:db8::/32\"]\nrules:\n  - path: /a\n    limit: 1/s\n");

    assertThat(config.clientIp().resolve("2001:db8:9::1", null)).isNull();
    assertThat(CidrBlock.parse("2001:db8::/32").contains(IpAddress.parse("2001:db9::1"))).isFalse();
  }

  @Test
  void pathsThatMatchAlikeShareADefaultNameAndCollide() {
    org.assertj.core.api.Assertions.assertThat(
            problems(
                """
                rules:
                  - path: /login
                    limit: 5/min
                  - path: /login/
                    limit: 50/hour
                """))
        .anySatisfy(
            problem ->
                org.assertj.core.api.Assertions.assertThat(problem.message())
                    .contains("two rules are named '/login'"));
  }

  @Test
  void aRedisUrlThatIsNoUriIsReportedWithoutItsPassword() {
    assertThat(
            problems(
                "redis-url: redis://:s3cr^et@localhost:6379/0\nrules: [{path: /a, limit: 1/s}]\n"))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .contains("not a valid URI")
                    .contains("redis://***@localhost:6379/0")
                    .doesNotContain("s3cr"));
  }

  @Test
  void passwordsWithAtOrSlashAreMaskedWhole() {
    assertThat(RedisConfig.mask("redis://u:p@ss/w@host:6379/0"))
        .isEqualTo("redis://***@host:6379/0");
    assertThat(RedisConfig.mask("redis://host:6379")).isEqualTo("redis://host:6379");
  }

  @Test
  void deeplyNestedMappingsAreOneProblemWithItsPosition() {
    String yaml = "{a: ".repeat(30_000) + "1" + "}".repeat(30_000) + "\n";

    ConfigProblem problem = problem(yaml);

    assertThat(problem.line()).isEqualTo(1);
    assertThat(problem.column()).isPositive();
    assertThat(problem.message()).contains("nested deeper than");
  }

  @Test
  void deeplyNestedListsAreOneProblemWithItsPosition() {
    ConfigProblem problem = problem("[".repeat(100_000) + "\n");

    assertThat(problem.line()).isEqualTo(1);
    assertThat(problem.column()).isPositive();
    assertThat(problem.message()).contains("nested deeper than");
  }

  @Test
  void nestingWithinTheLimitIsReportedAsUsual() {
    ConfigProblem problem =
        problem(
            "backend-options: {a: "
                + "[".repeat(40)
                + "1"
                + "]".repeat(40)
                + "}\nrules: [{path: /a, limit: 1/s}]\n");

    assertThat(problem.message()).contains("expected a single value here");
  }

  @Test
  void contentTypeWithALineBreakIsRefusedAndShownEscaped() {
    ConfigProblem problem =
        problem(
            "response:\n  content-type: \"text/plain\\r\\nX-Injected: 1\"\n"
                + "rules: [{path: /a, limit: 1/s}]\n");

    assertAt(problem, 2, 17);
    assertThat(problem.message())
        .contains("content-type")
        .contains("control character")
        .contains("text/plain\\r\\nX-Injected: 1")
        .doesNotContain("\r")
        .doesNotContain("\n");
  }

  @Test
  void messagesQuoteTheVariableNotItsSecretValue() {
    List<ConfigProblem> problems =
        problems(
            "key-prefix: ${PREFIX}\n"
                + "rules:\n"
                + "  - path: ${FAKE_SECRET}\n"
                + "    limit: ${RATE}\n"
                + "    algorithm: x-${ALGO}\n",
            Map.of(
                "FAKE_SECRET", "hunter2-path",
                "RATE", "5/hunter2",
                "ALGO", "hunter2",
                "PREFIX", "bad prefix hunter2"));

    assertThat(problems).hasSize(4);
    assertThat(problems).allSatisfy(p -> assertThat(p.toString()).doesNotContain("hunter2"));
    assertThat(problems.get(0).message()).contains("'${PREFIX}'");
    assertThat(problems.get(1).message()).contains("'${FAKE_SECRET}'");
    assertThat(problems.get(2).message()).contains("'${RATE}'");
    assertThat(problems.get(3).message()).contains("'x-${ALGO}'");
  }

  @Test
  void doubleDollarWritesALiteralDollarBrace() throws ConfigException {
    AgentConfig config =
        load(
            "response:\n  body: 'pay $${PRICE} or wait {retry_after}s; $$ stays'\n"
                + "rules: [{path: /a, limit: 1/s}]\n");

    byte[] body = config.response().body(3, 1, "a");
    assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("pay ${PRICE} or wait 3s; $$ stays");
  }

  @Test
  void aFileThatNeverEndsIsRefusedAfterTheLimit() {
    java.nio.file.Path endless = java.nio.file.Paths.get("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(endless));

    ConfigException failure =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(endless));

    assertThat(failure).isNotNull();
    assertThat(failure.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("larger than 1 MiB"));
  }
}
