package io.fastlimit.it;

/** Rules files of the front-door tests: the same rules, decided at {@code stage: container}. */
final class FrontDoorRules {

  private FrontDoorRules() {}

  /** Every rule of a rules file (written with " - path:" items) with stage: container added. */
  static String atContainer(String rulesYaml) {
    String marked = rulesYaml.replace("  - path:", "  - stage: container\n    path:");
    if (marked.equals(rulesYaml)) {
      throw new IllegalArgumentException("no '  - path:' rule item in " + rulesYaml);
    }
    return marked;
  }
}
