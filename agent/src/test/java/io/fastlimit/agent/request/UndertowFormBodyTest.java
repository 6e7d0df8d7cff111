package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.server.handlers.form.FormParserFactory;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent reads a form field from a real Undertow exchange and hands the body back: Undertow's
 * own form parser, run afterwards in the encoding the application chooses (UTF-8 here, where the
 * request names none), still reads every field. Where the body cannot be read without disturbing
 * the application (the I/O thread, a chunked or too long body), nothing is read and the
 * application's reading is unchanged.
 */
class UndertowFormBodyTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

  private Undertow server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  /** Answers "agent=<what the agent read>;app=<user>/<password as the app parses it>". */
  private static final HttpHandler AGENT_THEN_APP =
      exchange -> {
        String agent = RequestFacts.of(exchange).formParameter(exchange, "j_username");
        FormDataParser parser =
            FormParserFactory.builder().withDefaultCharset("UTF-8").build().createParser(exchange);
        FormData form = parser.parseBlocking();
        exchange
            .getResponseSender()
            .send(
                "agent="
                    + agent
                    + ";app="
                    + form.getFirst("j_username").getValue()
                    + "/"
                    + form.getFirst("j_password").getValue(),
                StandardCharsets.UTF_8);
      };

  private int start(HttpHandler handler) {
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
    server.start();
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  private static String post(int port, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(body)
            .build();
    HttpResponse<String> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static final String FORM = "j_username=j%C3%BCrgen&j_password=s%C3%A9cret";

  @Test
  void readsTheFieldOnAWorkerAndUndertowsParserStillReadsEveryField() throws Exception {
    int port = start(new BlockingHandler(AGENT_THEN_APP));

    String answer = post(port, HttpRequest.BodyPublishers.ofString(FORM));

    assertThat(answer).isEqualTo("agent=jürgen;app=jürgen/sécret");
  }

  @Test
  void readingTwiceReadsTheSameBody() throws Exception {
    int port =
        start(
            new BlockingHandler(
                exchange -> {
                  String first = RequestFacts.of(exchange).formParameter(exchange, "j_password");
                  assertThat(first).isEqualTo("sécret");
                  AGENT_THEN_APP.handleRequest(exchange);
                }));

    assertThat(post(port, HttpRequest.BodyPublishers.ofString(FORM)))
        .isEqualTo("agent=jürgen;app=jürgen/sécret");
  }

  @Test
  void readsNothingOnTheIoThread() throws Exception {
    int port =
        start(
            exchange -> {
              seenOnIoThread =
                  exchange.isInIoThread()
                      + " "
                      + RequestFacts.of(exchange).formParameter(exchange, "j_username");
              exchange.dispatch(new BlockingHandler(AGENT_THEN_APP));
            });

    // on the worker the agent reads it; on the I/O thread it read nothing and waited for nothing
    assertThat(post(port, HttpRequest.BodyPublishers.ofString(FORM)))
        .isEqualTo("agent=jürgen;app=jürgen/sécret");
    assertThat(seenOnIoThread).isEqualTo("true null");
  }

  @Test
  void readsNothingOfAChunkedBody() throws Exception {
    int port = start(new BlockingHandler(AGENT_THEN_APP));

    byte[] form = FORM.getBytes(StandardCharsets.US_ASCII);
    String answer =
        post(port, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form)));

    assertThat(answer).isEqualTo("agent=null;app=jürgen/sécret");
  }

  @Test
  void readsNothingOfABodyAboveTheLimit() throws Exception {
    int port = start(new BlockingHandler(AGENT_THEN_APP));
    char[] padding = new char[RawForm.MAX_BODY];
    Arrays.fill(padding, 'x');

    String answer =
        post(port, HttpRequest.BodyPublishers.ofString(FORM + "&pad=" + new String(padding)));

    assertThat(answer).isEqualTo("agent=null;app=jürgen/sécret");
  }

  @Test
  void readsNothingOnceTheApplicationHasTheBody() throws Exception {
    int port =
        start(
            new BlockingHandler(
                exchange -> {
                  exchange.getRequestChannel(); // the application took the body
                  String agent = RequestFacts.of(exchange).formParameter(exchange, "j_username");
                  exchange.getResponseSender().send("agent=" + agent);
                }));

    assertThat(post(port, HttpRequest.BodyPublishers.ofString(FORM))).isEqualTo("agent=null");
  }

  private static volatile String seenOnIoThread;
}
