package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // what Undertow hands the servlet for /api/./secret, /api/%2e/secret, /api/x/../secret ...
    "/api/./secret, /api/secret",
    "/./api/secret, /api/secret",
    "/api/x/../secret, /api/secret",
    "/api/secret/., /api/secret",
    "/api/secret/.., /api",
    "/api/x/y/../../secret, /api/secret",
    "/api/../admin/x, /admin/x",
    // slashes collapse, a trailing slash goes, as for every matched path
    "//api//./secret/, /api/secret",
    "/api/.//secret, /api/secret",
    // '..' above the root stays at the root: never a way out of a rule's reach
    "/.., /",
    "/../api/secret, /api/secret",
    "/api/../../../admin/x, /admin/x",
    "/., /",
    // a dot segment with parameters, kept by Undertow (/..;/), resolved like Tomcat does
    "/admin/..;/api/secret, /api/secret",
    "/api/.;x=y/secret, /api/secret",
    "/api/x/..;jsessionid=1/secret, /api/secret",
    // not dot segments: names that merely contain dots
    "/api/.../secret, /api/.../secret",
    "/api/.well-known/x/.., /api/.well-known",
    "/api/x../.y, /api/x../.y",
  })
  void resolvesDotSegments(String path, String normalized) {
    assertThat(RequestPath.normalize(path)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/", "/api/secret", "/api/.well-known/x", "/api/x.y/z", "/a/.../b", "/a/..b"})
  void aNormalPathComesBackAsTheSameInstance(String path) {
    assertThat(RequestPath.normalize(path)).isSameAs(path);
    assertThat(RequestPath.withoutDotSegments(path)).isSameAs(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "api/./x", "api"})
  void aPathWithoutItsLeadingSlashGetsOne(String path) {
    assertThat(RequestPath.normalize(path)).startsWith("/");
  }
}
