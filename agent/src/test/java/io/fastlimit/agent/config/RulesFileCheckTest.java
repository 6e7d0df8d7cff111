package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One look at the rules file, as the watcher takes it on its thread. */
class RulesFileCheckTest {

  static final String GOOD = "rules: [{path: /a, limit: 5/min}]\n";
  static final String OTHER = "rules: [{path: /b, limit: 7/min}]\n";

  static final class Recorder implements RulesFileWatcher.Listener {
    final List<AgentConfig> changes = new ArrayList<>();
    final List<ConfigException> rejections = new ArrayList<>();

    @Override
    public void changed(AgentConfig config) {
      changes.add(config);
    }

    @Override
    public void rejected(ConfigException problems) {
      rejections.add(problems);
    }
  }

  @Test
  void unchangedContentIsNotReappliedAndChangedContentIs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, GOOD);
    Recorder recorder = new Recorder();
    RulesFileCheck check =
        new RulesFileCheck(file, GOOD.getBytes(StandardCharsets.UTF_8), recorder);
    check.run();
    assertThat(recorder.changes).isEmpty();
    Files.writeString(file, OTHER);
    check.run();
    check.run();
    assertThat(recorder.changes).hasSize(1);
    assertThat(recorder.changes.get(0).rules().rules().get(0).path()).hasToString("/b");
  }

  @Test
  void aBrokenChangeIsRejectedOnceAndAFixAfterItApplies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, GOOD);
    Recorder recorder = new Recorder();
    RulesFileCheck check =
        new RulesFileCheck(file, GOOD.getBytes(StandardCharsets.UTF_8), recorder);
    Files.writeString(file, "rules: [{path: /a, limit: 5/fortnight}]\n");
    check.run();
    check.run();
    assertThat(recorder.rejections).hasSize(1);
    assertThat(recorder.rejections.get(0).problems().get(0).line()).isEqualTo(1);
    Files.writeString(file, OTHER);
    check.run();
    assertThat(recorder.changes).hasSize(1);
  }

  @Test
  void aMissingFileKeepsTheRulesAndItsReturnApplies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, GOOD);
    Recorder recorder = new Recorder();
    RulesFileCheck check =
        new RulesFileCheck(file, GOOD.getBytes(StandardCharsets.UTF_8), recorder);
    Files.delete(file);
    check.run();
    assertThat(recorder.changes).isEmpty();
    assertThat(recorder.rejections).isEmpty();
    Files.writeString(file, OTHER);
    check.run();
    assertThat(recorder.changes).hasSize(1);
  }

  @Test
  void withNothingLoadedAtStartTheFirstValidContentApplies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, GOOD);
    Recorder recorder = new Recorder();
    RulesFileCheck check = new RulesFileCheck(file, null, recorder);
    check.run();
    assertThat(recorder.changes).hasSize(1);
  }

  @Test
  void aHugeFileIsRejectedWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, GOOD);
    Recorder recorder = new Recorder();
    RulesFileCheck check =
        new RulesFileCheck(file, GOOD.getBytes(StandardCharsets.UTF_8), recorder);
    try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      huge.setLength(3L << 30); // sparse: takes no disk, but no array can hold it
    }
    check.run();
    check.run();
    assertThat(recorder.rejections).hasSize(1);
    assertThat(recorder.rejections.get(0).problems().get(0).message())
        .contains("larger than 1 MiB");
    Files.writeString(file, OTHER);
    check.run();
    assertThat(recorder.changes).hasSize(1);
  }
}
