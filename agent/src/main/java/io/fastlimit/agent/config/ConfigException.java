package io.fastlimit.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A rules file that cannot be used, with every problem found in it. */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    StringBuilder out = new StringBuilder();
    for (ConfigProblem problem : problems) {
      if (out.length() > 0) {
        out.append(System.lineSeparator());
      }
      out.append(problem);
    }
    return out.toString();
  }
}
