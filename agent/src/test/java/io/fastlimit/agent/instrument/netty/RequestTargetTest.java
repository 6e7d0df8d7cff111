package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.RequestTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTargetTest {

  @Test
  void aPlainPathComesBackAsItIs() {
    String plain = "/api/secret";
    assertThat(RequestTarget.path(plain)).isSameAs(plain);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/api/secret?x=1, /api/secret",
    "/api/secret#top, /api/secret",
    "/api/secret;jsessionid=ABC, /api/secret",
    "/api;x=y/secret, /api/secret",
    "/api/secret;, /api/secret",
    "/api/sec%72et;jsessionid=x, /api/secret",
    "/api/%73ecret, /api/secret",
    "/api/%2e/secret, /api/./secret",
    "/api/x/%2E%2E/secret, /api/x/../secret",
    "/api/x/..;/secret, /api/x/../secret",
    "/api%2Fsecret, /api%2Fsecret",
    "/reports/a%2fb, /reports/a%2Fb",
    "/api/%252F, /api/%2F",
    "/api/secret%3Bx, /api/secret;x",
    "/api/%zz, /api/%zz",
    "/api/caf%C3%A9, /api/café",
    "http://localhost/api/secret, /api/secret",
    "http://localhost:8080/admin/x?y=1, /admin/x",
    "http://localhost, /",
    "*, *",
  })
  void decodesWhatFrameworksRouteOn(String target, String path) {
    assertThat(RequestTarget.path(target)).isEqualTo(path);
  }

  @Test
  void anEmptyTargetIsTheRoot() {
    assertThat(RequestTarget.path("")).isEqualTo("/");
    assertThat(RequestTarget.path(null)).isEqualTo("/");
  }
}
