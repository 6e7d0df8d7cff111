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
 * A Vert.x 5 web app (vertx-web's Router on Vert.x HTTP, no servlet API): the same limits, headers
 * and 429 as the servlet containers, decided once per request where Vert.x hands it to the app's
 * handler, with the connection kept alive, pipelined requests answered in order, HTTP/2 (h2c)
 * streams limited alike, and in-flight slots given back when a request ends or its client leaves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VertxTest {

  static final String RULES =
      """
      user-id:
        header: X-Api-Key
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
        - path: /admin/key
          ip: 1/hour
          user: 2/hour
        - name: seq
          path: /seq/**
          concurrent: 1
        - name: slow
          path: /slow/**
          concurrent: 1
      """;

  private static final Duration GUARD = Duration.ofSeconds(60);

  private ChildApp app;

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sample(Build.vertxSample(), Build.rulesFile("vertx", RULES).toString());
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
    assertThat(calls("hello")).isEqualTo(5);
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
      HttpResult post = app.post("/login", "user=a&password=b");
      assertThat(post.status()).isEqualTo(200);
      assertThat(post.body()).isEqualTo("welcome a");
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

  @Test
  void eachApiKeyHasItsOwnAllowance() throws Exception {
    int first = 0;
    int anonymous = 0;
    for (int i = 0; i < 4; i++) {
      first += app.get("/admin/key", "X-Api-Key: sk_first").status() == 200 ? 1 : 0;
      anonymous += app.get("/admin/key").status() == 200 ? 1 : 0;
    }
    assertThat(first).isEqualTo(2);
    assertThat(anonymous).isEqualTo(1);
    assertThat(app.output()).doesNotContain("sk_first");
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
    URI uri = URI.create("http://127.0.0.1:" + app.port() + "/admin/h2");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(GUARD).build();
    // the first request upgrades the connection (h2c); the next ones are HTTP/2 streams
    int[] statuses = new int[4];
    HttpResponse<String> last = null;
    for (int i = 0; i < statuses.length; i++) {
      last = client.send(request, HttpResponse.BodyHandlers.ofString());
      statuses[i] = last.statusCode();
    }
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(last.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
    assertThat(last.headers().firstValue("retry-after")).isPresent();
    assertThat(statuses).containsExactly(200, 200, 429, 429);
  }

  /** {@code concurrent: 1}: each request gives its slot back as it ends, HTTP/1.1 and HTTP/2. */
  @Test
  void aRequestHoldsItsInFlightSlotOnlyUntilItEnds() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(app.get("/seq/a").status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
    HttpClient client = http2Client();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/seq/b"))
            .timeout(GUARD)
            .build();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("HTTP/2 request %d", i).isEqualTo(200);
    }
  }

  /**
   * {@code concurrent: 1} with a request held in flight by the app: the next one is refused at once
   * with {@code Retry-After: 1}; the slot comes back when the held response ends, and when the
   * client of a held request goes away.
   */
  @Test
  void aHeldRequestTakesTheSlotUntilItsResponseEndsOrItsClientLeaves() throws Exception {
    long slowBefore = calls("slow");
    try (Socket held = new Socket("127.0.0.1", app.port())) {
      held.setSoTimeout(20_000);
      send(held, "/slow/a");
      awaitCalls("slow", slowBefore + 1);

      HttpResult refused = app.get("/slow/b");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.longHeader("Retry-After")).isEqualTo(1);

      assertThat(app.get("/release").body()).isEqualTo("released 1\n");
      HttpResult answered = RawHttp.read(held.getInputStream(), false);
      assertThat(answered.status()).isEqualTo(200);
    }
    // the slot is back: the next one is admitted (and held), then its client leaves
    try (Socket leaving = new Socket("127.0.0.1", app.port())) {
      send(leaving, "/slow/c");
      awaitCalls("slow", slowBefore + 2);
    }
    // the close reaches the server after a while: until then the next one may be refused
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (true) {
      try (Socket next = new Socket("127.0.0.1", app.port())) {
        next.setSoTimeout(20_000);
        send(next, "/slow/d");
        while (calls("slow") < slowBefore + 3 && next.getInputStream().available() == 0) {
          assertThat(System.nanoTime()).as("slot given back").isLessThan(deadline);
          Thread.sleep(50);
        }
        if (calls("slow") == slowBefore + 3) {
          assertThat(app.get("/release").body()).isEqualTo("released 1\n");
          assertThat(RawHttp.read(next.getInputStream(), false).status()).isEqualTo(200);
          return;
        }
        assertThat(RawHttp.read(next.getInputStream(), false).status()).isEqualTo(429);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void agentAnnouncesItsRulesAndNamesNoUnlimitedServer() throws Exception {
    assertThat(app.output())
        .contains("[fastlimit] fastlimit agent")
        .contains("/api/**: /api/** methods=* ip=5/hour")
        .doesNotContain("does not limit it")
        .doesNotContain("ERROR");
  }

  private static HttpClient http2Client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(20))
        .build();
  }

  private static void send(Socket socket, String target) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private long calls(String route) throws Exception {
    Matcher matcher = Pattern.compile("\"" + route + "\":(\\d+)").matcher(app.get("/stats").body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  private void awaitCalls(String route, long count) throws Exception {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (calls(route) < count) {
      assertThat(System.nanoTime()).as("%s ran %d times", route, count).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
