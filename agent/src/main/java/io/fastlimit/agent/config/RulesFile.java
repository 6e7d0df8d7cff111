package io.fastlimit.agent.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * Reads the bytes of a rules file, refusing one larger than {@link #MAX_BYTES}: first by its size,
 * then while reading, so that a file that grows meanwhile (or a device that never ends) is never
 * held in memory whole. Every path that reads the rules file reads it here.
 */
public final class RulesFile {

  /** Rules files are small; anything bigger is a mistake (or an attack on the parser). */
  public static final int MAX_BYTES = 1 << 20;

  private RulesFile() {}

  /**
   * The file's content; a {@link java.nio.file.NoSuchFileException} when it is missing, another
   * IOException when it cannot be read, a ConfigException when it is too large.
   */
  public static byte[] read(Path path) throws IOException, ConfigException {
    if (Files.size(path) > MAX_BYTES) {
      throw tooLarge(path.toString());
    }
    try (InputStream in = Files.newInputStream(path)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      byte[] buffer = new byte[8192];
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        if (out.size() > MAX_BYTES) {
          throw tooLarge(path.toString());
        }
      }
      return out.toByteArray();
    }
  }

  static ConfigException tooLarge(String file) {
    return new ConfigException(
        Collections.singletonList(
            new ConfigProblem(
                file, 0, 0, "the file is larger than 1 MiB; a rules file is a few kilobytes")));
  }
}
