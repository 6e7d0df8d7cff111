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
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every stack without the servlet API (WebFlux, Vert.x, Micronaut, Quarkus) must show with the
 * agent attached: the same limits, headers and 429 as the servlet containers, with the connection
 * kept alive, pipelined requests answered in order and HTTP/2 (h2c) streams limited alike.
 * Subclasses start the sample app with their rules, which hold at least {@link #COMMON_RULES}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NettyStackContract {

  /** The rules the shared tests need; each stack's rules file begins with them. */
  static final String COMMON_RULES =
      """
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
      """;

  ChildApp app;

  /** Starts the sample app with its rules, run by {@link #javaHome()}'s JDK. */
  abstract ChildApp start() throws Exception;

  /** The JDK the app runs on: the one running the tests; a subclass may pin another. */
  Path javaHome() {
    return Build.javaHome();
  }

  /** What the blocked {@code /api/hello} shows beyond the shared checks; nothing by default. */
  void alsoBlocked(HttpResult blocked) throws Exception {}

  /** The text that must not appear in the app's output: an error. */
  String errorMark() {
    return "ERROR";
  }

  @BeforeAll
  void startApp() throws Exception {
    app = start();
  }

  @AfterAll
  void stopApp() throws Exception {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void admitsTheLimitThenAnswers429WithHeadersAndBody() throws Exception {
    long before = System.currentTimeMillis() / 1000;
    // counted from here: a sample may count its unlimited /hello under the same name
    long helloBefore = calls("hello");
    for (int i = 1; i <= 5; i++) {
      HttpResult ok = app.get("/api/hello");
      assertThat(ok.status()).as("request %d", i).isEqualTo(200);
      assertThat(ok.body()).contains("hello from hello");
      assertThat(ok.longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(ok.longHeader("X-RateLimit-Remaining")).isEqualTo(5 - i);
      assertThat(ok.longHeader("X-RateLimit-Reset")).isGreaterThan(before);
      assertThat(ok.hasHeader("Retry-After")).isFalse();
    }
    HttpResult blocked = app.get("/api/hello");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(blocked.longHeader("X-RateLimit-Limit")).isEqualTo(5);
    assertThat(blocked.longHeader("X-RateLimit-Remaining")).isZero();
    long retryAfter = blocked.longHeader("Retry-After");
    assertThat(retryAfter).isBetween(1L, 2L * 3600);
    assertThat(blocked.header("Content-Type")).startsWith("application/json");
    assertThat(blocked.longHeader("Content-Length")).isEqualTo(blocked.body().length());
    assertThat(blocked.body())
        .isEqualTo(
            "{\"detail\":\"Rate limit exceeded. Try again in "
                + retryAfter
                + "s.\",\"retry_after\":"
                + retryAfter
                + "}");
    // other paths under the same rule share the bucket of this client
    assertThat(app.get("/api/other").status()).isEqualTo(429);
    alsoBlocked(blocked);
    assertThat(calls("hello") - helloBefore).isEqualTo(5);
  }

  @Test
  void pathsWithoutARuleAreUntouched() throws Exception {
    for (int i = 0; i < 10; i++) {
      HttpResult result = app.get("/hello");
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
      assertThat(result.hasHeader("X-RateLimit-Remaining")).isFalse();
    }
  }

  @Test
  void methodsNotListedAreNotCounted() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResult get = app.get("/login");
      assertThat(get.status()).isEqualTo(405);
      assertThat(get.hasHeader("X-RateLimit-Limit")).isFalse();
    }
    for (int i = 1; i <= 3; i++) {
      HttpResult admitted = app.post("/login", "user=a&password=b");
      assertThat(admitted.status()).isEqualTo(200);
      assertThat(admitted.body()).isEqualTo("welcome a");
    }
    HttpResult blocked = app.post("/login", "user=a&password=b");
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(calls("login")).isEqualTo(3);
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

  /**
   * Pipelined on one kept-alive connection: an admitted POST with a body, a blocked POST whose body
   * the app never reads, then a GET. Each is answered, in order, and the connection stays open.
   */
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
      assertThat(first.status()).as(first.toString()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("stored 3000 bytes");
      assertThat(second.status()).as(second.toString()).isEqualTo(429);
      assertThat(second.longHeader("X-RateLimit-Limit")).isEqualTo(1);
      assertThat(third.status()).as(third.toString()).isEqualTo(200);
      assertThat(third.body()).startsWith("hello from reports");

      // still open: one more request on the same connection
      out.write(hello.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      HttpResult fourth = RawHttp.read(in, false);
      assertThat(fourth.status()).as(fourth.toString()).isEqualTo(200);
      assertThat(fourth.longHeader("X-RateLimit-Remaining")).isZero();
    }
    assertThat(calls("upload")).isEqualTo(1);
  }

  @Test
  void http2StreamsAreLimitedAlike() throws Exception {
    HttpClient client = http2Client();
    // the first request upgrades the connection (h2c); the next ones are HTTP/2 streams
    int[] statuses = new int[4];
    HttpResponse<String> first = null;
    HttpResponse<String> last = null;
    for (int i = 0; i < statuses.length; i++) {
      last = client.send(request("/admin/h2"), HttpResponse.BodyHandlers.ofString());
      first = first == null ? last : first;
      statuses[i] = last.statusCode();
    }
    assertThat(first.headers().firstValue("x-ratelimit-remaining")).contains("1");
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(last.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
    assertThat(last.headers().firstValue("retry-after")).isPresent();
    assertThat(statuses).containsExactly(200, 200, 429, 429);
  }

  @Test
  void runsOnTheChosenJdk() throws Exception {
    RunningJdk.assertRunsOn(app, javaHome());
  }

  @Test
  void agentAnnouncesItsRulesAndNamesNoUnlimitedServer() throws Exception {
    assertThat(app.output())
        .contains("[fastlimit] fastlimit agent")
        .contains("/api/**: /api/** methods=* ip=5/hour")
        .doesNotContain("does not limit it")
        .doesNotContain(errorMark());
  }

  /**
   * Asserts that a {@code concurrent: 1} rule on {@code path} never refuses a request sent the
   * moment the previous one's response was read, alternating between an HTTP/2 stream and a new
   * HTTP/1.1 connection: the previous request's slot is back before its client can read it.
   */
  void assertEachResponseFreesItsSlotBeforeTheClientReadsIt(String path, int rounds)
      throws Exception {
    HttpClient client = http2Client();
    for (int i = 0; i < rounds; i++) {
      HttpResponse<String> http2 = client.send(request(path), HttpResponse.BodyHandlers.ofString());
      assertThat(http2.statusCode()).as("HTTP/2 request %d", i).isEqualTo(200);
      assertThat(app.get(path).status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
  }

  /**
   * Asserts that a {@code concurrent: 1} rule on {@code path} gives an HTTP/2 request's slot back
   * when its response ends, though its stream stays open (the client has not finished its body):
   * the next request, on a new connection, is admitted.
   */
  void assertAnEndedResponseFreesItsSlotWhileItsStreamStaysOpen(String path) throws Exception {
    for (int i = 0; i < 3; i++) {
      try (H2cRequestLeftOpen open = H2cRequestLeftOpen.post(app.port(), path)) {
        open.awaitResponseEnd();
        assertThat(app.get(path).status()).as("next request, round %d", i).isEqualTo(200);
      }
    }
  }

  static HttpClient http2Client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(20))
        .build();
  }

  HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  /** How many times the sample app ran the handler of {@code route}, by its {@code /stats}. */
  long calls(String route) throws Exception {
    Matcher matcher = Pattern.compile("\"" + route + "\":(\\d+)").matcher(app.get("/stats").body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }
}
