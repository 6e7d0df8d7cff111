package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.LogFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code log-format: json}: the agent's own lines as one JSON object each, same content. */
class JsonLogTest {

  private final CapturedLog log = new CapturedLog();

  @BeforeEach
  void capture() {
    log.start();
  }

  @AfterEach
  void restore() {
    AgentLog.setJson(false);
    log.stop();
  }

  private String[] lines() {
    return log.text().split("\\R");
  }

  @Test
  void eachLineIsOneJsonObjectWithTheSameContent() {
    AgentLog.setJson(true);
    AgentLog.info("fastlimit agent enforcing rules.yaml: 2 rule(s)\n  login \"a\\b\"");
    AgentLog.warn("careful\tnow");
    AgentLog.error("broken", new IllegalStateException("why"));

    String[] lines = lines();
    assertThat(lines).hasSize(3);
    assertThat(lines[0])
        .matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\",\"level\":\"INFO\",.*\\}")
        .endsWith(
            "\"logger\":\"fastlimit\",\"message\":\"fastlimit agent enforcing rules.yaml: 2"
                + " rule(s)\\n  login \\\"a\\\\b\\\"\"}");
    assertThat(lines[1]).contains("\"level\":\"WARN\"").contains("\"message\":\"careful\\tnow\"");
    assertThat(lines[2])
        .contains("\"level\":\"ERROR\"")
        .contains("\"message\":\"broken\"")
        .contains("\"stack_trace\":\"java.lang.IllegalStateException: why\\n\\tat ");
  }

  @Test
  void textStaysAsItWas() {
    AgentLog.info("hello");
    AgentLog.warn("careful");
    assertThat(lines()).containsExactly("[fastlimit] hello", "[fastlimit] WARN careful");
  }

  @Test
  void theRulesFileChoosesTheFormat() throws ConfigException {
    String rules = "rules: [{path: /a, limit: 1/s}]\n";
    assertThat(ConfigLoader.parse(rules, "r.yaml", name -> null).logFormat())
        .isEqualTo(LogFormat.TEXT);
    assertThat(ConfigLoader.parse("log-format: json\n" + rules, "r.yaml", name -> null).logFormat())
        .isEqualTo(LogFormat.JSON);
    ConfigException bad = null;
    try {
      ConfigLoader.parse("log-format: xml\n" + rules, "r.yaml", name -> null);
    } catch (ConfigException e) {
      bad = e;
    }
    assertThat(bad).isNotNull();
    assertThat(bad.problems().get(0).toString()).contains("log-format").contains("json");
  }
}
