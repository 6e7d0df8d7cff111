package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.PathPattern;
import io.fastlimit.bootstrap.Stage;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A rule's {@code stage: container | filters | servlet} (and its older alias {@code before-filters:
 * true}, which is {@code stage: filters}): where in the request's way the rule is decided. Without
 * either, a rule on a container-managed login ({@code .../j_security_check}), which only the
 * container's front door ever sees, is decided there; every other rule at the servlet, where the
 * user id the app's filters find is known.
 */
final class RuleStageSetting {

  /** The key of the setting, for {@code RulesSection}'s list of a rule's keys. */
  static final String KEY = "stage";

  static final String ALIAS = "before-filters";

  private static final Stage[] RULE_STAGES = {Stage.CONTAINER, Stage.FILTERS, Stage.SERVLET};

  private static final YamlReader.Words<Stage> STAGES =
      new YamlReader.Words<>(
          "stage",
          "a stage",
          RULE_STAGES,
          RuleStageSetting::configName,
          "container, filters, servlet");

  /** The last segment of the paths that only container-managed FORM authentication answers. */
  private static final String FORM_LOGIN_ACTION = "j_security_check";

  private RuleStageSetting() {}

  /** The word of a stage in the rules file. */
  static String configName(Stage stage) {
    return stage.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The stage of the rule whose keys these are; every problem goes to {@code yaml}. {@code path} is
   * the rule's compiled path, or null when it had a problem.
   */
  static Stage read(YamlReader yaml, Map<String, Node> keys, PathPattern path) {
    return read(yaml, keys, path, false);
  }

  /**
   * As {@link #read(YamlReader, Map, PathPattern)}; {@code userAtEveryStage} when the agent reads
   * the user id from the request itself (an API key or a JWT), so {@code user} fits every stage.
   */
  static Stage read(
      YamlReader yaml, Map<String, Node> keys, PathPattern path, boolean userAtEveryStage) {
    Node stageNode = keys.get(KEY);
    Node aliasNode = keys.get(ALIAS);
    Stage stage = yaml.word(stageNode, STAGES, null);
    int before = yaml.problemCount();
    boolean beforeFilters = yaml.bool(aliasNode, false);
    if (stage != null && aliasNode != null && yaml.problemCount() == before) {
      if (beforeFilters != (stage == Stage.FILTERS)) {
        yaml.problem(
            aliasNode,
            "'before-filters: "
                + beforeFilters
                + "' disagrees with 'stage: "
                + configName(stage)
                + "'; write only 'stage: "
                + configName(stage)
                + "' (before-filters: true is the older spelling of stage: filters)");
      }
    }
    if (stage == null) {
      stage = beforeFilters ? Stage.FILTERS : defaultStage(keys, path);
    }
    Node userNode = keys.get("user");
    if (userNode != null && stage != Stage.SERVLET && !userAtEveryStage) {
      yaml.problem(
          userNode,
          "a rule decided at stage "
              + configName(stage)
              + " runs before the app's filters have found the user; limit it per IP, write"
              + " 'stage: servlet' to limit per user, or read the user id from an API key or a"
              + " JWT (user-id: header or jwt), which every stage sees");
    }
    return stage;
  }

  private static Stage defaultStage(Map<String, Node> keys, PathPattern path) {
    if (path != null && !keys.containsKey("user") && isFormLoginAction(path.toString())) {
      return Stage.CONTAINER; // the container's authenticator answers it before any filter
    }
    return Stage.SERVLET;
  }

  private static boolean isFormLoginAction(String path) {
    String canonical = PathPattern.normalize(path);
    return canonical.endsWith("/" + FORM_LOGIN_ACTION);
  }
}
