package io.fastlimit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void attachWithBrokenRulesReportsThemAndLoadsNoAgent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "rules:\n  - path: /a\n    limit: often\n");
    // this JVM refuses to attach to itself: only the rules' problems may be reported
    String self = Long.toString(ProcessHandle.current().pid());

    assertThat(run("attach", self, file.toString())).isEqualTo(1);
    assertThat(err())
        .contains(file + ":3:")
        .contains("not attached: fix the rules file first")
        .doesNotContain("cannot attach");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void attachToAProcessThatDoesNotExistSaysSo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "rules:\n  - path: /a\n    limit: 5/min\n");

    assertThat(run("attach", "2147483646", file.toString())).isEqualTo(1);
    assertThat(err()).startsWith("cannot attach to 2147483646: ").doesNotContain("not attached");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void checkReportsDeeplyNestedYamlAsOneProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "[".repeat(100_000));

    assertThat(run("check", file.toString())).isEqualTo(1);
    assertThat(err())
        .contains(file + ":1:")
        .contains("nested deeper than")
        .contains("1 problem(s)")
        .doesNotContain("StackOverflowError");
  }

  @Test
  void checkRefusesAFileThatGrowsPastTheLimitWhileRead() {
    Path endless = Paths.get("/dev/zero");
    Assumptions.assumeTrue(Files.isReadable(endless));

    assertThat(run("check", endless.toString())).isEqualTo(1);
    assertThat(err()).contains("larger than 1 MiB");
  }

  @Test
  void checkQuotesTheVariableNotItsValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    // HOME is set in every environment the build runs in, and is never a path pattern's form
    Files.writeString(file, "rules:\n  - path: x${HOME}\n    limit: 1/s\n");
    Assumptions.assumeTrue(System.getenv("HOME") != null && !System.getenv("HOME").isEmpty());

    assertThat(run("check", file.toString())).isEqualTo(1);
    assertThat(err()).contains("'x${HOME}'").doesNotContain("x" + System.getenv("HOME"));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void checkPrintsTheUserIdSourceWithoutTheSecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    String secret = "0123456789abcdef0123456789abcdef-secret";
    Files.writeString(
        file,
        "user-id:\n  jwt:\n    hmac-secret: "
            + secret
            + "\n    issuer: https://auth.example.com\nplan-from: claim:plan\nrules:\n"
            + "  - {path: /api/**, ip: 60/min, user: 600/min, plans: {pro: 6000/min}}\n");

    assertThat(run("check", file.toString())).as(err()).isZero();

    assertThat(out())
        .contains(
            "  user id: claim sub of the bearer JWT in header Authorization, verified with an"
                + " HMAC secret, issuer https://auth.example.com, plan from claim:plan")
        .doesNotContain(secret);
  }

  @Test
  void checkPrintsAnApiKeyHeaderAttributeOrPrincipal(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "user-id: {header: X-Api-Key}\nrules: [{path: /a, user: 1/s}]\n");
    assertThat(run("check", file.toString())).isZero();
    assertThat(out()).contains("  user id: the API key in header X-Api-Key (hashed)");

    out.reset();
    Files.writeString(file, "rules: [{path: /a, user: 1/s}]\n");
    assertThat(run("check", file.toString())).isZero();
    assertThat(out()).contains("  user id: request attribute user_id");

    out.reset();
    Files.writeString(
        file,
        "user-id: {principal: true}\nplan-from: header:X-Plan\nrules: [{path: /a, user: 1/s}]\n");
    assertThat(run("check", file.toString())).isZero();
    assertThat(out())
        .contains(
            "  user id: the principal (getUserPrincipal().getName()), plan from header:X-Plan");
  }
}
