package io.fastlimit.it;

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
   * {@code concurrent: 1}: an HTTP/2 request's slot is back when its response ends, not when its
   * stream closes, which waits for the client to finish its request body.
   */
  @Test
  void anEndedResponseFreesItsSlotThoughItsStreamStaysOpen() throws Exception {
    assertAnEndedResponseFreesItsSlotWhileItsStreamStaysOpen("/seq/c");
  }

  /**
   * {@code concurrent: 1}, one after another, switching between an HTTP/2 stream and a new HTTP/1.1
   * connection each time: each request's slot is back when its response ends, before its client
   * reads it, so the next one, on another connection and maybe another event loop, is never
   * refused.
   */
  @Test
  void http2StreamsAndHttp1RequestsGiveTheirSlotsBack() throws Exception {
    assertEachResponseFreesItsSlotBeforeTheClientReadsIt("/seq/a", 50);
  }
}
