package io.fastlimit.agent.config;

/** How the agent writes its own log lines: the rules file's {@code log-format}. */
public enum LogFormat {
  /** {@code [fastlimit] LEVEL message} lines, for people. */
  TEXT("text"),
  /** One JSON object per line with the same content, for log pipelines. */
  JSON("json");

  private final String configName;

  LogFormat(String configName) {
    this.configName = configName;
  }

  /** The word the rules file uses. */
  public String configName() {
    return configName;
  }
}
