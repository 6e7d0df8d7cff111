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

/**
 * Vert.x with the Redis backend: the decision may wait for Redis, so it is made off the event loop
 * (the request paused meanwhile) and the request resumes on its event loop decided. The limit holds
 * exactly under concurrent requests, over HTTP/1.1 and HTTP/2, a body sent while the request was
 * being decided reaches the app whole, and with Redis unreachable every request is answered as
 * {@code on-error} says.
 */
class VertxRedisTest extends RedisStackContract {

  @Override
  Path appJar() {
    return Build.vertxSample();
  }

  @Override
  String stack() {
    return "vertx";
  }

  @Override
  String moreRules() {
    return """
          - path: /admin/**
            limit: 2/hour
          - path: /upload
            limit: 1/hour
        """;
  }

  @Override
  void alsoThroughRedis(ChildApp app) throws Exception {
    // HTTP/2 streams go off the loop and come back through the stream's own dispatch
    HttpClient client = NettyStackContract.http2Client();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/admin/h2"))
            .timeout(Duration.ofSeconds(60))
            .build();
    int[] statuses = new int[4];
    HttpResponse<String> last = null;
    for (int i = 0; i < statuses.length; i++) {
      last = client.send(request, HttpResponse.BodyHandlers.ofString());
      statuses[i] = last.statusCode();
    }
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(statuses).containsExactly(200, 200, 429, 429);

    // pipelined with bodies: the admitted body arrives whole, the blocked one is dropped
    try (Socket socket = new Socket("127.0.0.1", app.port())) {
      socket.setSoTimeout(20_000);
      String body = "x".repeat(100_000);
      String upload =
          "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      String hello = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write((upload + upload + hello).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      HttpResult first = RawHttp.read(in, false);
      HttpResult second = RawHttp.read(in, false);
      HttpResult third = RawHttp.read(in, false);
      assertThat(first.body()).as(first.toString()).isEqualTo("stored 100000 bytes");
      assertThat(second.status()).as(second.toString()).isEqualTo(429);
      assertThat(third.status()).as(third.toString()).isEqualTo(200);
    }
  }
}
