package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's own thread takes its looks ({@link RulesFileCheckTest}) when the file changes. */
class RulesFileWatcherTest {

  /** A guard against a hang, not a timing goal: the watcher looks at least once a second. */
  private static final long GUARD_SECONDS = 60;

  private final BlockingQueue<AgentConfig> changes = new LinkedBlockingQueue<>();

  private final RulesFileWatcher.Listener listener =
      new RulesFileWatcher.Listener() {
        @Override
        public void changed(AgentConfig config) {
          changes.add(config);
        }

        @Override
        public void rejected(ConfigException problems) {}
      };

  @Test
  void aFileReplacedByRenameReachesTheListener(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, RulesFileCheckTest.GOOD);
    RulesFileWatcher watcher =
        RulesFileWatcher.start(
            file, RulesFileCheckTest.GOOD.getBytes(StandardCharsets.UTF_8), listener);
    try {
      Path next = dir.resolve("rules.yaml.next");
      Files.writeString(next, RulesFileCheckTest.OTHER);
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);

      AgentConfig changed = changes.poll(GUARD_SECONDS, TimeUnit.SECONDS);

      assertThat(changed).isNotNull();
      assertThat(changed.rules().rules().get(0).path()).hasToString("/b");
    } finally {
      watcher.close();
    }
  }
}
