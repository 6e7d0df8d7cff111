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
 * Micronaut 4 on its own Netty server, no servlet API: the same limits, headers and 429 as the
 * servlet containers, decided once per request where Micronaut's routing takes it, with the
 * connection kept alive, pipelined requests answered in order, HTTP/2 (h2c) streams limited alike,
 * in-flight slots given back however a request ends, and failures counted at completion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MicronautTest {

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
        - path: /held/**
          concurrent: 1
        - path: /signin
          methods: [POST]
          ip: 2/hour
          count: failures
      """;

  private ChildApp app;

  @BeforeAll
  void startApp() throws Exception {
    app = ChildApp.sample(Build.micronautSample(), Build.rulesFile("micronaut", RULES).toString());
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
    HttpResult head = RawHttp.send(app.port(), "HEAD", "/api/hello", null);
    assertThat(head.status()).isEqualTo(429);
    assertThat(head.longHeader("Content-Length")).isEqualTo(blocked.body().length());
    assertThat(app.get("/stats").body()).contains("\"hello\":5");
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
    assertThat(app.get("/stats").body()).contains("\"upload\":1");
  }

  @Test
  void http2StreamsAreLimitedAlike() throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    URI uri = URI.create("http://127.0.0.1:" + app.port() + "/admin/h2");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
    // the first request upgrades the connection (h2c); the next ones are HTTP/2 streams
    int[] statuses = new int[4];
    HttpResponse<String> first = null;
    HttpResponse<String> last = null;
    for (int i = 0; i < statuses.length; i++) {
      last = client.send(request, HttpResponse.BodyHandlers.ofString());
      first = first == null ? last : first;
      statuses[i] = last.statusCode();
    }
    assertThat(first.headers().firstValue("x-ratelimit-remaining")).contains("1");
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(last.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
    assertThat(last.headers().firstValue("retry-after")).isPresent();
    assertThat(statuses).containsExactly(200, 200, 429, 429);
  }

  /**
   * One request in flight at a time on {@code /held/**}: a second one is refused at once with
   * {@code Retry-After: 1}, and the slot comes back when the first ends, however it ends: answered,
   * failed by the app (500), or abandoned by its client (the connection closed while the app still
   * works on it).
   */
  @Test
  void anInFlightSlotIsHeldUntilTheRequestEndsHoweverItEnds() throws Exception {
    // answered normally
    try (HeldRequest held = onceAdmitted("/held/a")) {
      HttpResult refused = app.get("/held/b");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.longHeader("Retry-After")).isEqualTo(1);
      app.get("/release/a");
      HttpResult answered = held.response();
      assertThat(answered.status()).isEqualTo(200);
      assertThat(answered.body()).isEqualTo("released a");
    }
    // failed by the application
    try (HeldRequest held = onceAdmitted("/held/c")) {
      assertThat(app.get("/held/d").status()).isEqualTo(429);
      app.get("/release/c?fail=true");
      assertThat(held.response().status()).isEqualTo(500);
    }
    // abandoned by its client: the app never answers it
    HeldRequest abandoned = onceAdmitted("/held/e");
    assertThat(app.get("/held/f").status()).isEqualTo(429);
    abandoned.close();
    try (HeldRequest held = onceAdmitted("/held/g")) {
      app.get("/release/g");
      assertThat(held.response().status()).isEqualTo(200);
    }
    assertThat(heldCalls()).isEqualTo(4);
  }

  /**
   * A held request once the app runs it. While the slot of the one before is still out (it comes
   * back when that request has ended, which may follow the client's next request), the agent
   * refuses it: then it is sent again. The guard is shorter than the 60-s lease after which the
   * memory backend frees a slot anyway (so a slot never given back fails the test), and long beyond
   * the moment a given-back slot is free on any machine.
   */
  private HeldRequest onceAdmitted(String target) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (true) {
      long before = heldCalls();
      HeldRequest held = HeldRequest.send(app.port(), target);
      while (heldCalls() == before && !held.answered()) {
        assertThat(System.nanoTime()).as("neither run nor refused").isLessThan(deadline);
        Thread.sleep(20);
      }
      if (heldCalls() > before) {
        return held;
      }
      HttpResult refused = held.response();
      held.close();
      assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
      assertThat(System.nanoTime()).as("the slot never came back").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private long heldCalls() throws Exception {
    Matcher calls = Pattern.compile("\"held\":(\\d+)").matcher(app.get("/stats").body());
    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
  }

  /**
   * {@code count: failures}: successful sign-ins give their charge back at completion, failures
   * (401) keep it, and once the failures reach the limit even the right password is refused.
   */
  @Test
  void onlyFailedSignInsAreCounted() throws Exception {
    for (int i = 0; i < 4; i++) {
      HttpResult ok = GiveBacks.onceGivenBack(() -> app.post("/signin", "user=u&password=right"));
      assertThat(ok.status()).as("success %d", i).isEqualTo(200);
    }
    for (int i = 0; i < 2; i++) {
      HttpResult failed =
          GiveBacks.onceGivenBack(() -> app.post("/signin", "user=u&password=wrong"));
      assertThat(failed.status()).as("failure %d", i).isEqualTo(401);
    }
    assertThat(app.post("/signin", "user=u&password=right").status()).isEqualTo(429);
    assertThat(app.get("/stats").body()).contains("\"signin\":6");
  }

  @Test
  void agentAnnouncesItsRulesAndNamesNoUnlimitedServer() throws Exception {
    assertThat(app.output())
        .contains("[fastlimit] fastlimit agent")
        .contains("/api/**: /api/** methods=* ip=5/hour")
        .doesNotContain("does not limit it")
        .doesNotContain("[fastlimit] ERROR");
  }
}
