package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A Quarkus REST app (Quarkus 3.33, Vert.x 4.5 HTTP underneath, built as Quarkus's fast jar): the
 * Vert.x entry point limits it like any Vert.x app, with the same headers and 429, the connection
 * kept alive and pipelined requests answered in order, HTTP/2 (h2c) streams limited alike, and
 * in-flight slots given back as requests end.
 */
class QuarkusRestTest extends NettyStackContract {

  static final String RULES =
      "rules:\n"
          + COMMON_RULES
          + """
            - name: seq
              path: /seq/**
              concurrent: 1
          """;

  @Override
  ChildApp start() throws Exception {
    return QuarkusApp.start(Build.rulesFile("quarkus", RULES));
  }

  @Override
  String errorMark() {
    return "[fastlimit] ERROR";
  }

  /**
   * {@code concurrent: 1}, one after another: each stream gives its slot back as it closes. The
   * slot of an HTTP/2 stream is given back when Vert.x closes the stream, on its connection's event
   * loop, which can be a moment after the client has read the response; the next request, on
   * another connection and so maybe another event loop, may come first. So each request after a
   * switch of connection waits for the slot (a leaked slot never comes back and fails the test).
   */
  @Test
  void http2StreamsAndHttp1RequestsGiveTheirSlotsBack() throws Exception {
    HttpClient client = http2Client();
    for (int i = 0; i < 5; i++) {
      int http2 = 0;
      for (int attempt = 0; attempt < 200 && http2 != 200; attempt++) {
        http2 = client.send(request("/seq/a"), HttpResponse.BodyHandlers.ofString()).statusCode();
        pauseIfRefused(http2);
      }
      assertThat(http2).as("HTTP/2 request %d", i).isEqualTo(200);
      int http1 = 0;
      for (int attempt = 0; attempt < 200 && http1 != 200; attempt++) {
        http1 = app.get("/seq/b").status();
        pauseIfRefused(http1);
      }
      assertThat(http1).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
  }

  private static void pauseIfRefused(int status) throws InterruptedException {
    assertThat(status).as("only 200 or, while the slot is still held, 429").isIn(200, 429);
    if (status == 429) {
      Thread.sleep(50);
    }
  }
}
