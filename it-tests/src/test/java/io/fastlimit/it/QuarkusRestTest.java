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

  /** {@code concurrent: 1}, one after another: each stream gives its slot back as it closes. */
  @Test
  void http2StreamsAndHttp1RequestsGiveTheirSlotsBack() throws Exception {
    HttpClient client = http2Client();
    for (int i = 0; i < 5; i++) {
      assertThat(client.send(request("/seq/a"), HttpResponse.BodyHandlers.ofString()).statusCode())
          .as("HTTP/2 request %d", i)
          .isEqualTo(200);
      assertThat(app.get("/seq/b").status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
    }
  }
}
