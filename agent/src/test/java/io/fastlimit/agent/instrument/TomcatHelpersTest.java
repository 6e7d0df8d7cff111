package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.TomcatEntry;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.junit.jupiter.api.Test;

/** Where Tomcat's front-door helper comes from: made once per Tomcat, beside its connector. */
class TomcatHelpersTest {

  @Test
  void theHelperIsDefinedBesideTomcatsConnectorOnceForIt() {
    TomcatHelpers helpers = new TomcatHelpers();

    TomcatEntry entry = helpers.get(Request.class);

    assertThat(entry).isNotNull();
    assertThat(entry.getClass()).isNotSameAs(TomcatHelper.class);
    assertThat(entry.getClass().getName()).isEqualTo(TomcatHelper.class.getName());
    assertThat(entry.getClass().getClassLoader().getParent())
        .isSameAs(Request.class.getClassLoader());
    assertThat(helpers.get(Request.class)).isSameAs(entry);
  }

  /** One copy serves Tomcat 9 (javax) and 10.1 and 11 (jakarta): it names neither servlet API. */
  @Test
  void theHelperNamesNoServletApiType() throws Exception {
    String constants =
        new String(
            HelperLoader.classFile(TomcatHelper.class.getName()), StandardCharsets.ISO_8859_1);

    assertThat(constants)
        .contains("org/apache/catalina/connector/Request")
        .doesNotContain("javax/servlet")
        .doesNotContain("jakarta/servlet");
  }
}
