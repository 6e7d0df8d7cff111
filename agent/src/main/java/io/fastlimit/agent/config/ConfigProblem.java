package io.fastlimit.agent.config;

/** One thing wrong in a rules file, with where it is: file, 1-based line and column. */
public final class ConfigProblem {

  private final String file;
  private final int line;
  private final int column;
  private final String message;

  public ConfigProblem(String file, int line, int column, String message) {
    this.file = file;
    this.line = line;
    this.column = column;
    this.message = message;
  }

  public String file() {
    return file;
  }

  /** 1-based; 0 when the problem is about the file as a whole. */
  public int line() {
    return line;
  }

  /** 1-based; 0 when unknown. */
  public int column() {
    return column;
  }

  public String message() {
    return message;
  }

  /** {@code file:line:column: message}, the form editors and compilers use. */
  @Override
  public String toString() {
    if (line <= 0) {
      return file + ": " + message;
    }
    return file + ":" + line + ":" + column + ": " + message;
  }
}
