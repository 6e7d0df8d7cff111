package io.fastlimit.agent.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's log lines as a user reads them: written to a {@code log-file} of the test's own
 * ({@link AgentLog#writeTo}), read back as text, and handed back to stderr at {@link #stop}.
 */
public final class CapturedLog {

  private Path file;

  /** From now on the agent's lines go to a fresh file of this capture. */
  public void start() {
    try {
      if (file == null) {
        file = Files.createTempFile("fastlimit-log", ".txt");
        file.toFile().deleteOnExit();
      }
      AgentLog.writeTo(file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The agent's lines go back to stderr; what was captured stays readable. */
  public void stop() {
    AgentLog.writeTo(null);
  }

  /** All lines written while capturing; empty before {@link #start}. */
  public String text() {
    try {
      return file == null ? "" : new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
