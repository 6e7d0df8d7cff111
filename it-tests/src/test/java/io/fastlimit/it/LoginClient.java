package io.fastlimit.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A client of the login tests: form posts with or without a charset in their Content-Type, HTTP
 * Basic, each from an address of its choice (X-Forwarded-For, behind {@code trusted-proxies: 1}).
 * Never follows redirects: a login's answer is its status and Location.
 */
final class LoginClient {

  /** What a login attempt got back. */
  record Answer(int status, String location, String body) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(20))
          .build();

  private final int port;

  LoginClient(int port) {
    this.port = port;
  }

  /** A form post as browsers send it: no charset in the Content-Type. */
  Answer form(String path, String from, String body) throws Exception {
    return post(path, from, "application/x-www-form-urlencoded", body, null);
  }

  /** A form post that names its charset (UTF-8). */
  Answer formUtf8(String path, String from, String body) throws Exception {
    return post(path, from, "application/x-www-form-urlencoded; charset=UTF-8", body, null);
  }

  Answer basic(String path, String from, String user, String password) throws Exception {
    String credentials =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .header("X-Forwarded-For", from)
            .header("Authorization", "Basic " + credentials)
            .GET()
            .build();
    return send(request);
  }

  private Answer post(String path, String from, String contentType, String body, String auth)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .header("X-Forwarded-For", from)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return send(request.build());
  }

  private static Answer send(HttpRequest request) throws Exception {
    HttpResponse<String> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Location").orElse(null),
        response.body());
  }
}
