package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Micronaut 4 on its own Netty server, no servlet API: the same limits, headers and 429 as the
 * servlet containers, decided once per request where Micronaut's routing takes it, with the
 * connection kept alive, pipelined requests answered in order, HTTP/2 (h2c) streams limited alike,
 * in-flight slots given back however a request ends, and failures counted at completion.
 */
class MicronautTest extends NettyStackContract {

  static final String RULES =
      "rules:\n"
          + COMMON_RULES
          + """
            - path: /held/**
              concurrent: 1
            - path: /signin
              methods: [POST]
              ip: 2/hour
              count: failures
          """;

  @Override
  ChildApp start() throws Exception {
    return ChildApp.sample(Build.micronautSample(), Build.rulesFile("micronaut", RULES).toString());
  }

  /** HEAD on a blocked path gets the 429's headers, its length included, without the body. */
  @Override
  void alsoBlocked(HttpResult blocked) throws Exception {
    HttpResult head = RawHttp.send(app.port(), "HEAD", "/api/hello", null);
    assertThat(head.status()).isEqualTo(429);
    assertThat(head.longHeader("Content-Length")).isEqualTo(blocked.body().length());
  }

  @Override
  String errorMark() {
    return "[fastlimit] ERROR";
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
    return calls("held");
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
}
