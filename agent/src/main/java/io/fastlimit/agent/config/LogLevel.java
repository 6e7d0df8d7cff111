package io.fastlimit.agent.config;

/** How much the agent itself logs: the rules file's {@code log-level}. */
public enum LogLevel {
  DEBUG("debug"),
  INFO("info"),
  WARN("warn"),
  ERROR("error");

  private final String configName;

  LogLevel(String configName) {
    this.configName = configName;
  }

  /** The word the rules file uses. */
  public String configName() {
    return configName;
  }
}
