package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A Vert.x 5 web app (vertx-web's Router on Vert.x HTTP, no servlet API): the same limits, headers
 * and 429 as the servlet containers, decided once per request where Vert.x hands it to the app's
 * handler, with the connection kept alive, pipelined requests answered in order, HTTP/2 (h2c)
 * streams limited alike, and in-flight slots given back when a request ends or its client leaves.
 */
class VertxTest extends NettyStackContract {

  static final String RULES =
      "user-id:\n  header: X-Api-Key\nrules:\n"
          + COMMON_RULES
          + """
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

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sample(Build.vertxSample(), Build.rulesFile("vertx", RULES).toString());
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

  /** {@code concurrent: 1}: each request gives its slot back as it ends, HTTP/1.1 and HTTP/2. */
  @Test
  void aRequestHoldsItsInFlightSlotOnlyUntilItEnds() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(app.get("/seq/a").status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
    HttpClient client = http2Client();
    HttpRequest request = request("/seq/b");
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("HTTP/2 request %d", i).isEqualTo(200);
    }
  }

  /**
   * {@code concurrent: 1}: an HTTP/2 request's slot is back when its response ends, not when its
   * stream closes, which waits for the client to finish its request body.
   */
  @Test
  void anEndedResponseFreesItsSlotThoughItsStreamStaysOpen() throws Exception {
    assertAnEndedResponseFreesItsSlotWhileItsStreamStaysOpen("/seq/d");
  }

  /**
   * {@code concurrent: 1}, switching between an HTTP/2 stream and a new HTTP/1.1 connection each
   * time: the slot is back when the response ends, before the client reads it.
   */
  @Test
  void theNextRequestOnAnotherConnectionFindsTheSlotFree() throws Exception {
    assertEachResponseFreesItsSlotBeforeTheClientReadsIt("/seq/c", 50);
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

  private static void send(Socket socket, String target) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private void awaitCalls(String route, long count) throws Exception {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (calls(route) < count) {
      assertThat(System.nanoTime()).as("%s ran %d times", route, count).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
