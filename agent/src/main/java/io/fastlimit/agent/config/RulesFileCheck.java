package io.fastlimit.agent.config;

import io.fastlimit.agent.observe.AgentLog;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One look at the rules file: reads it and hands a changed content, parsed, to the listener (or its
 * problems, once per broken content). Changes are recognized by content, so an edit in place, an
 * atomic rename and a symlink swap are all the same thing here. A missing or oversized file is
 * reported once until it is back; the last good rules stay. Run by {@link RulesFileWatcher} on its
 * thread, one look at a time.
 */
final class RulesFileCheck {

  private final Path file;
  private final RulesFileWatcher.Listener listener;
  private byte[] lastSeen;
  private boolean reportedMissing;
  private boolean reportedTooLarge;

  /**
   * {@code loaded} is the content the running rules came from (null when the file could not be used
   * at start, so that the first readable content is applied).
   */
  RulesFileCheck(Path file, byte[] loaded, RulesFileWatcher.Listener listener) {
    this.file = file;
    this.lastSeen = loaded;
    this.listener = listener;
  }

  void run() {
    byte[] content;
    try {
      content = RulesFile.read(file);
    } catch (ConfigException tooLarge) {
      if (!reportedTooLarge) {
        reportedTooLarge = true;
        listener.rejected(tooLarge);
      }
      return;
    } catch (NoSuchFileException e) {
      if (!reportedMissing) {
        reportedMissing = true;
        AgentLog.warn(file + " is gone; keeping the last good rules until it is back");
      }
      return;
    } catch (IOException e) {
      AgentLog.once("cannot read " + file + "; keeping the last good rules", e);
      return;
    }
    reportedMissing = false;
    reportedTooLarge = false;
    if (lastSeen != null && Arrays.equals(content, lastSeen)) {
      return;
    }
    lastSeen = content;
    try {
      listener.changed(ConfigLoader.parse(content, file.toString()));
    } catch (ConfigException problems) {
      listener.rejected(problems);
    }
  }
}
