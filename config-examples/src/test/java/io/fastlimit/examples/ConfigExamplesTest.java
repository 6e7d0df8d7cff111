package io.fastlimit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file in config-examples/ and every ```yaml block of the README loads through {@link
 * ConfigLoader#load}, the code path of the agent's start, with no problem reported.
 */
class ConfigExamplesTest {

  static final Path EXAMPLES = Paths.get(System.getProperty("fastlimit.examples.dir", "."));
  static final Path README = Paths.get(System.getProperty("fastlimit.readme", "../README.md"));

  @TestFactory
  Stream<DynamicTest> everyExampleFileLoads() throws IOException {
    List<Path> files = examples();
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      AgentConfig config = ConfigLoader.load(file);
                      assertThat(config.rules().rules()).isNotEmpty();
                    }));
  }

  @Test
  void everyUseHasItsExample() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path file : examples()) {
      names.add(file.getFileName().toString());
    }
    assertThat(names)
        .contains(
            "quickstart.yaml",
            "login-protection.yaml",
            "api-per-user.yaml",
            "behind-proxy.yaml",
            "dry-run-rollout.yaml",
            "redis.yaml",
            "redis-fleet.yaml",
            "api-keys.yaml",
            "jwt-plans.yaml");
  }

  @TestFactory
  Stream<DynamicTest> everyYamlBlockOfTheReadmeLoads() throws IOException {
    List<String> blocks = yamlBlocks(Files.readString(README, StandardCharsets.UTF_8));
    assertThat(blocks).as("```yaml blocks in README.md").hasSizeGreaterThanOrEqualTo(2);
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String block = blocks.get(i);
      tests.add(
          DynamicTest.dynamicTest(
              "README yaml block " + (i + 1),
              () -> {
                Path file = Files.createTempFile("readme-block", ".yaml");
                Files.writeString(file, block, StandardCharsets.UTF_8);
                assertThatCode(() -> ConfigLoader.load(file))
                    .as("README block:%n%s", block)
                    .doesNotThrowAnyException();
              }));
    }
    return tests.stream();
  }

  private static List<Path> examples() throws IOException {
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static List<String> yamlBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    for (String line : markdown.split("\n", -1)) {
      if (current == null && line.trim().equals("```yaml")) {
        current = new StringBuilder();
      } else if (current != null && line.trim().equals("```")) {
        blocks.add(current.toString());
        current = null;
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    return blocks;
  }
}
