package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ServletEntry;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

/** Where the advice's helper comes from: made once per servlet API, beside it. */
class ServletHelpersTest {

  @Test
  void theHelperIsDefinedBesideTheServletApiItServesOnceForIt() throws Exception {
    ServletHelpers helpers = new ServletHelpers();

    ServletEntry entry = helpers.get(HttpServletRequest.class);

    assertThat(entry).isNotNull();
    assertThat(entry.getClass()).isNotSameAs(ServletHelper.class);
    assertThat(entry.getClass().getName()).isEqualTo(ServletHelper.class.getName());
    assertThat(entry.getClass().getClassLoader().getParent())
        .isSameAs(HttpServletRequest.class.getClassLoader());
    assertThat(helpers.get(HttpServletRequest.class)).isSameAs(entry);
  }

  @Test
  void theJakartaHelperUsesJakartaServletTypesOnly() throws Exception {
    byte[] code = HelperLoader.classFile(JakartaAdvice.HELPER_NAME);

    String constants = new String(code, StandardCharsets.ISO_8859_1);

    assertThat(constants)
        .contains("jakarta/servlet/http/HttpServletRequest")
        .contains("io/fastlimit/agent/instrument/JakartaServletHelper")
        .doesNotContain("javax/servlet")
        .doesNotContain("io/fastlimit/agent/instrument/ServletHelper");
  }
}
