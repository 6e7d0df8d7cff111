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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Vert.x with the Redis backend: the decision may wait for Redis, so it is made off the event loop
 * (the request paused meanwhile) and the request resumes on its event loop decided. The limit holds
 * exactly under concurrent requests, over HTTP/1.1 and HTTP/2, a body sent while the request was
 * being decided reaches the app whole, and with Redis unreachable every request is answered as
 * {@code on-error} says.
 */
class VertxRedisTest {

  @Test
  void concurrentRequestsAreLimitedExactlyThroughRedis() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      Path rules =
          Build.rulesFile(
              "vertx-redis",
              """
              redis-url: %s
              redis:
                timeout: 5s
                on-error: deny
              key-prefix: it-vertx-%d
              rules:
                - path: /api/**
                  limit: 10/hour
                - path: /admin/**
                  limit: 2/hour
                - path: /upload
                  limit: 1/hour
              """
                  .formatted(redis.url(), System.nanoTime()));
      try (ChildApp app = ChildApp.sample(Build.vertxSample(), rules.toString())) {
        app.awaitOutput("connected to redis");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<HttpResult>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          results.add(pool.submit(() -> app.get("/api/shared")));
        }
        int admitted = 0;
        int blocked = 0;
        for (Future<HttpResult> result : results) {
          HttpResult answer = result.get(60, TimeUnit.SECONDS);
          if (answer.status() == 200) {
            admitted++;
            assertThat(answer.hasHeader("X-RateLimit-Remaining")).isTrue();
          } else if (answer.status() == 429) {
            blocked++;
            assertThat(answer.body()).startsWith("{\"detail\":\"Rate limit exceeded.");
          }
        }
        pool.shutdown();
        assertThat(admitted).isEqualTo(10);
        assertThat(blocked).isEqualTo(20);
        assertThat(app.get("/stats").body()).contains("\"hello\":10");

        // HTTP/2 streams go off the loop and come back through the stream's own dispatch
        HttpClient client =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
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
        assertThat(app.output()).doesNotContain("ERROR");
      }
    }
  }

  @Test
  void anUnreachableRedisFollowsOnError() throws Exception {
    int closedPort = ChildApp.freePort();
    Path rules =
        Build.rulesFile(
            "vertx-redis-down",
            """
            redis-url: redis://127.0.0.1:%d
            redis:
              timeout: 100ms
              on-error: allow
            rules:
              - path: /api/**
                limit: 1/hour
            """
                .formatted(closedPort));
    try (ChildApp app = ChildApp.sample(Build.vertxSample(), rules.toString())) {
      for (int i = 0; i < 5; i++) {
        HttpResult result = app.get("/api/x");
        assertThat(result.status()).as("request %d: %s", i, result).isEqualTo(200);
      }
      assertThat(app.get("/stats").body()).contains("\"hello\":5");
    }
  }
}
