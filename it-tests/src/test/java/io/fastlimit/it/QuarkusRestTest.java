package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Quarkus REST app (Quarkus 3.33, Vert.x 4.5 HTTP underneath, built as Quarkus's fast jar): the
 * Vert.x entry point limits it like any Vert.x app, with the same headers and 429, the connection
 * kept alive and pipelined requests answered in order, HTTP/2 (h2c) streams limited alike, and
 * in-flight slots given back as requests end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuarkusRestTest {

  static final String RULES =
      """
      rules:
        - path: /api/**
          limit: 5/hour
        - path: /login
          methods: [POST]
          limit: 3/hour
        - path: /upload
          limit: 1/hour
        - path: /reports/*
          limit: 2/hour
        - path: /admin/x
          limit: 1/hour
          dry-run: true
        - path: /admin/h2
          limit: 2/hour
        - name: seq
          path: /seq/**
          concurrent: 1
      """;

  private ChildApp app;

  @BeforeAll
  void startApp() throws Exception {
    app = QuarkusApp.start(Build.rulesFile("quarkus", RULES));
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void admitsTheLimitThenAnswers429WithHeadersAndBody() throws Exception {
    long before = helloCalls();
    for (int i = 1; i <= 5; i++) {
      HttpResult ok = app.get("/api/hello");
      assertThat(ok.status()).as("request %d", i).isEqualTo(200);
      assertThat(ok.body()).contains("hello from hello");
      assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(5 - i);
    }
    HttpResult blocked = app.get("/api/hello");
    assertThat(blocked.status()).isEqualTo(429);
    long retryAfter = blocked.longHeader("Retry-After");
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(blocked.body())
        .isEqualTo(
            "{\"detail\":\"Rate limit exceeded. Try again in "
                + retryAfter
                + "s.\",\"retry_after\":"
                + retryAfter
                + "}");
    assertThat(helloCalls() - before).isEqualTo(5);
  }

  private long helloCalls() throws Exception {
    Matcher matcher = Pattern.compile("\"hello\":(\\d+)").matcher(app.get("/stats").body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  @Test
  void pathsWithoutARuleAndMethodsNotListedAreUntouched() throws Exception {
    for (int i = 0; i < 6; i++) {
      HttpResult result = app.get("/hello");
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
      assertThat(app.get("/login").hasHeader("X-RateLimit-Limit")).isFalse();
    }
    for (int i = 1; i <= 3; i++) {
      HttpResult post = app.post("/login", "user=a");
      assertThat(post.body()).as(post.toString()).isEqualTo("welcome a");
    }
    assertThat(app.post("/login", "user=a").status()).isEqualTo(429);
    assertThat(app.get("/stats").body()).contains("\"login\":3");
  }

  @Test
  void dryRunCountsButNeitherBlocksNorSendsHeaders() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResult result = app.get("/admin/x");
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
    }
    app.awaitOutput("dry-run: would block rule=");
  }

  @Test
  void keepsTheConnectionAndTheOrderOfPipelinedRequests() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", app.port())) {
      socket.setSoTimeout(20_000);
      String body = "x".repeat(3000);
      String upload =
          "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      String hello = "GET /reports/q HTTP/1.1\r\nHost: localhost\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write((upload + upload + hello).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      HttpResult first = RawHttp.read(in, false);
      HttpResult second = RawHttp.read(in, false);
      HttpResult third = RawHttp.read(in, false);
      assertThat(first.body()).as(first.toString()).isEqualTo("stored 3000 bytes");
      assertThat(second.status()).as(second.toString()).isEqualTo(429);
      assertThat(third.body()).as(third.toString()).startsWith("hello from reports");

      out.write(hello.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      HttpResult fourth = RawHttp.read(in, false);
      assertThat(fourth.status()).as(fourth.toString()).isEqualTo(200);
    }
    assertThat(app.get("/stats").body()).contains("\"upload\":1");
  }

  @Test
  void http2StreamsAreLimitedAlikeAndGiveTheirSlotsBack() throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    int[] statuses = new int[4];
    HttpResponse<String> last = null;
    for (int i = 0; i < statuses.length; i++) {
      last = client.send(request("/admin/h2"), HttpResponse.BodyHandlers.ofString());
      statuses[i] = last.statusCode();
    }
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(statuses).containsExactly(200, 200, 429, 429);
    // concurrent: 1, one after another: each stream gives its slot back as it closes
    for (int i = 0; i < 5; i++) {
      assertThat(client.send(request("/seq/a"), HttpResponse.BodyHandlers.ofString()).statusCode())
          .as("HTTP/2 request %d", i)
          .isEqualTo(200);
      assertThat(app.get("/seq/b").status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
  }

  @Test
  void agentNamesNoUnlimitedServer() throws Exception {
    assertThat(app.output())
        .doesNotContain("does not limit it")
        .doesNotContain("[fastlimit] ERROR");
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .timeout(Duration.ofSeconds(60))
        .build();
  }
}
