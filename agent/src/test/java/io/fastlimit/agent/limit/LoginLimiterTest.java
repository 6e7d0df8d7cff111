package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

/** Per-account buckets and count: failures through the limiter and the bridge, in memory. */
class LoginLimiterTest {

  private static final long START = 28_333_334L * 60_000;

  private final AtomicLong clock = new AtomicLong(START);
  private final List<String> keysCharged = Collections.synchronizedList(new ArrayList<>());
  private LimiterBridge bridge;

  private void rules(String yaml) throws ConfigException {
    MemoryBackend memory = new MemoryBackend(clock::get, 10_000);
    Backend recording =
        new Backend() {
          @Override
          public Outcome[] acquire(Charge[] charges) {
            for (Charge charge : charges) {
              keysCharged.add(charge.key());
            }
            return memory.acquire(charges);
          }

          @Override
          public void giveBack(Charge[] charges, long[] chargedAtMillis) {
            memory.giveBack(charges, chargedAtMillis);
          }
        };
    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(yaml, "rules.yaml", name -> null), recording, new Stats()));
  }

  /** A form POST naming this user, as the container hands it over (encoding decided). */
  private static HttpServletRequest form(String user) {
    Map<String, String> parameters = new HashMap<>();
    parameters.put("j_username", user);
    return request("application/x-www-form-urlencoded", "UTF-8", parameters, null);
  }

  private static HttpServletRequest basic(String user, String password) {
    String credentials =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return request(null, null, Map.of(), "Basic " + credentials);
  }

  static HttpServletRequest request(
      String contentType, String encoding, Map<String, String> parameters, String authorization) {
    return LoginRequests.servlet(
        null,
        contentType,
        encoding,
        parameters,
        authorization == null ? Map.of() : Map.of("Authorization", authorization));
  }

  private Verdict attempt(String peer, Object request) {
    return bridge
        .rules()
        .decide(Stage.SERVLET_ALONE, "POST", "", "/login", null, peer, null, null, request);
  }

  /** One attempt that, when admitted, ends with {@code status}; true when it was admitted. */
  private boolean attempt(String peer, Object request, int status) {
    Verdict verdict = attempt(peer, request);
    assertThat(verdict).isNotNull();
    if (verdict.isBlocked()) {
      return false;
    }
    if (verdict.awaitsCompletion()) {
      bridge.completed(verdict, status, null, null);
    }
    return true;
  }

  private static final String FAILURES_ONLY =
      "rules:\n  - path: /login\n    methods: [POST]\n    ip: 3/min\n    count: failures\n";

  @Test
  void successesNeverUseTheBucket() throws ConfigException {
    rules(FAILURES_ONLY);
    for (int i = 0; i < 20; i++) {
      assertThat(attempt("203.0.113.1", null, 200)).as("success %d", i).isTrue();
    }
    for (int i = 0; i < 3; i++) {
      assertThat(attempt("203.0.113.1", null, 401)).isTrue();
    }
    assertThat(attempt("203.0.113.1", null, 200)).as("exhausted by failures").isFalse();
  }

  @Test
  void wrongPasswordsAreLimited() throws ConfigException {
    rules(FAILURES_ONLY);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      admitted += attempt("203.0.113.1", null, 401) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
  }

  @Test
  void aVerdictAwaitsItsEndOnlyUnderCountFailures() throws ConfigException {
    rules("rules:\n  - path: /login\n    ip: 3/min\n");
    assertThat(attempt("203.0.113.1", null).awaitsCompletion()).isFalse();
    rules(FAILURES_ONLY);
    assertThat(attempt("203.0.113.1", null).awaitsCompletion()).isTrue();
  }

  /**
   * A backend may count a charge in its fallback (Redis's on-error local, in this instance's
   * memory): a success gives it back there, and a charge counted in the store to the store.
   */
  @Test
  void aChargeCountedInTheBackendsFallbackIsGivenBackThere() throws ConfigException {
    MemoryBackend memory = new MemoryBackend(clock::get, 10_000);
    List<String> toStore = Collections.synchronizedList(new ArrayList<>());
    List<String> toFallback = Collections.synchronizedList(new ArrayList<>());
    Backend countingIpBucketsInFallback =
        new Backend() {
          @Override
          public Outcome[] acquire(Charge[] charges) {
            Outcome[] outcomes = memory.acquire(charges);
            for (int i = 0; i < charges.length; i++) {
              if (charges[i].key().contains(":ip:")) {
                outcomes[i] = outcomes[i].asCountedInFallback();
              }
            }
            return outcomes;
          }

          @Override
          public void giveBack(Charge[] charges, long[] chargedAtMillis) {
            for (Charge charge : charges) {
              toStore.add(charge.key());
            }
          }

          @Override
          public void giveBackToFallback(Charge[] charges, long[] chargedAtMillis) {
            for (Charge charge : charges) {
              toFallback.add(charge.key());
            }
          }
        };
    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(PER_ACCOUNT, "rules.yaml", name -> null),
                countingIpBucketsInFallback,
                new Stats()));

    Verdict success = attempt("203.0.113.1", form("alice"));
    assertThat(success.awaitsCompletion()).isTrue();
    bridge.completed(success, 200, null, null);
    assertThat(toStore).singleElement().asString().contains(":account:");
    assertThat(toFallback).singleElement().asString().contains(":ip:");
  }

  /**
   * A backend may admit a charge without counting it where its give-back goes (Redis's on-error
   * answers): a success never gives such a charge back, which would take another request's count.
   * Of a request with both, only the counted charge is given back.
   */
  @Test
  void aChargeTheBackendAdmittedWithoutCountingIsNeverGivenBack() throws ConfigException {
    MemoryBackend memory = new MemoryBackend(clock::get, 10_000);
    List<String> givenBack = Collections.synchronizedList(new ArrayList<>());
    Backend answeringIpBucketsUncounted =
        new Backend() {
          @Override
          public Outcome[] acquire(Charge[] charges) {
            Outcome[] outcomes = memory.acquire(charges);
            for (int i = 0; i < charges.length; i++) {
              if (charges[i].key().contains(":ip:")) {
                Outcome o = outcomes[i];
                outcomes[i] =
                    Outcome.uncounted(
                        o.allowed(),
                        o.remaining(),
                        o.resetAtMillis(),
                        o.retryAfterMillis(),
                        o.decidedAtMillis());
              }
            }
            return outcomes;
          }

          @Override
          public void giveBack(Charge[] charges, long[] chargedAtMillis) {
            for (Charge charge : charges) {
              givenBack.add(charge.key());
            }
            memory.giveBack(charges, chargedAtMillis);
          }
        };
    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(PER_ACCOUNT, "rules.yaml", name -> null),
                answeringIpBucketsUncounted,
                new Stats()));

    Verdict success = attempt("203.0.113.1", form("alice"));
    assertThat(success.awaitsCompletion()).as("the account's charge awaits the end").isTrue();
    bridge.completed(success, 200, null, null);
    assertThat(givenBack)
        .as("the counted account charge only")
        .singleElement()
        .asString()
        .contains(":account:");

    bridge =
        new LimiterBridge(
            new RateLimiter(
                ConfigLoader.parse(FAILURES_ONLY, "rules.yaml", name -> null),
                answeringIpBucketsUncounted,
                new Stats()));
    givenBack.clear();
    Verdict uncounted = attempt("203.0.113.2", null);
    assertThat(uncounted.isBlocked()).isFalse();
    assertThat(uncounted.awaitsCompletion()).as("nothing counted, nothing to give back").isFalse();
    bridge.completed(uncounted, 200, null, null);
    assertThat(givenBack).isEmpty();
  }

  @Test
  void reportingTheEndTwiceGivesBackOnce() throws ConfigException {
    rules(FAILURES_ONLY);
    Verdict first = attempt("203.0.113.1", null);
    bridge.completed(first, 200, null, null);
    bridge.completed(first, 200, null, null);
    for (int i = 0; i < 3; i++) {
      assertThat(attempt("203.0.113.1", null, 401)).isTrue();
    }
    assertThat(attempt("203.0.113.1", null, 401)).isFalse();
  }

  private static final String PER_ACCOUNT =
      "trusted-proxies: 1\n"
          + "rules:\n  - path: /login\n    methods: [POST]\n    ip: 100/min\n"
          + "    account: 3/15min\n    account-from: form:j_username\n    count: failures\n";

  @Test
  void oneAccountAttackedFromManyAddressesIsLimited() throws ConfigException {
    rules(PER_ACCOUNT);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      admitted += attempt("198.51.100." + i, form("alice"), 401) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
    assertThat(attempt("198.51.100.99", form("bob"), 401)).as("another account").isTrue();
  }

  @Test
  void accountsAreComparedTrimmedAndWithoutCase() throws ConfigException {
    rules(PER_ACCOUNT);
    assertThat(attempt("198.51.100.1", form("Alice"), 401)).isTrue();
    assertThat(attempt("198.51.100.2", form(" alice "), 401)).isTrue();
    assertThat(attempt("198.51.100.3", form("ALICE"), 401)).isTrue();
    assertThat(attempt("198.51.100.4", form("aLiCe"), 401)).isFalse();
  }

  @Test
  void withoutAnAccountOnlyTheIpBucketApplies() throws ConfigException {
    rules(PER_ACCOUNT);
    for (int i = 0; i < 10; i++) {
      assertThat(attempt("198.51.100." + i, form(null), 401)).isTrue();
    }
  }

  @Test
  void aNatOfGoodUsersIsNotBlocked() throws ConfigException {
    rules(
        "rules:\n  - path: /login\n    ip: 5/min\n    account: 3/15min\n"
            + "    account-from: form:j_username\n    count: failures\n");
    // 300 colleagues behind one address, a few mistyping once: the office keeps logging in
    for (int i = 0; i < 300; i++) {
      boolean typo = i % 100 == 0;
      if (typo) {
        assertThat(attempt("192.0.2.1", form("user" + i), 401)).isTrue();
      }
      assertThat(attempt("192.0.2.1", form("user" + i), 200)).as("user %d", i).isTrue();
    }
  }

  @Test
  void theBasicUserIsTheAccount() throws ConfigException {
    rules(
        "rules:\n  - path: /login\n    ip: 100/min\n    account: 2/min\n"
            + "    account-from: basic-user\n    count: failures\n");
    assertThat(attempt("198.51.100.1", basic("carol", "x"), 401)).isTrue();
    assertThat(attempt("198.51.100.2", basic("carol", "y"), 401)).isTrue();
    assertThat(attempt("198.51.100.3", basic("carol", "z"), 401)).isFalse();
    assertThat(attempt("198.51.100.4", basic("dave", "z"), 401)).isTrue();
  }

  @Test
  void theAccountIsNeverInAKeyInClear() throws ConfigException {
    rules(PER_ACCOUNT);
    attempt("198.51.100.1", form("alice@example.com"), 401);
    assertThat(keysCharged).hasSize(2);
    assertThat(keysCharged).noneMatch(key -> key.toLowerCase().contains("alice"));
    assertThat(keysCharged).anyMatch(key -> key.contains(":account:{~"));
  }

  @Test
  void aFormFieldIsNotReadWhileTheEncodingIsOpen() throws ConfigException {
    rules(PER_ACCOUNT);
    Map<String, String> fields = Map.of("j_username", "alice");
    for (int i = 0; i < 5; i++) {
      HttpServletRequest open = request("application/x-www-form-urlencoded", null, fields, null);
      assertThat(attempt("198.51.100." + i, open, 401)).isTrue();
    }
    assertThat(keysCharged).noneMatch(key -> key.contains(":account:"));
  }

  @Test
  void aMultipartBodyIsNeverParsed() throws ConfigException {
    rules(PER_ACCOUNT);
    Map<String, String> fields = Map.of("j_username", "alice");
    HttpServletRequest multipart =
        request("multipart/form-data; boundary=x", "UTF-8", fields, null);
    attempt("198.51.100.1", multipart, 401);
    assertThat(keysCharged).noneMatch(key -> key.contains(":account:"));
  }

  /** The AsyncListener an entry point registers for a request that went asynchronous. */
  private static AsyncListener listenerOf(Verdict verdict) {
    assertThat(verdict.pending()).isInstanceOf(InvocationHandler.class);
    return (AsyncListener)
        Proxy.newProxyInstance(
            AsyncListener.class.getClassLoader(),
            new Class<?>[] {AsyncListener.class},
            (InvocationHandler) verdict.pending());
  }

  private static HttpServletResponse answered(int status) {
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            LoginLimiterTest.class.getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (proxy, method, args) -> method.getName().equals("getStatus") ? status : null);
  }

  @Test
  void anAsynchronousLoginIsSettledWhenItCompletes() throws Exception {
    rules(FAILURES_ONLY);
    for (int i = 0; i < 5; i++) {
      Verdict verdict = attempt("203.0.113.1", null);
      assertThat(verdict.isBlocked()).isFalse();
      listenerOf(verdict).onComplete(new AsyncEvent(null, form("x"), answered(200)));
    }
    Verdict timedOut = attempt("203.0.113.1", null);
    listenerOf(timedOut).onTimeout(new AsyncEvent(null, form("x"), answered(200)));
    Verdict failed = attempt("203.0.113.1", null);
    listenerOf(failed).onComplete(new AsyncEvent(null, form("x"), answered(401)));
    Verdict third = attempt("203.0.113.1", null);
    listenerOf(third).onError(new AsyncEvent(null, form("x"), answered(200)));
    assertThat(attempt("203.0.113.1", null).isBlocked())
        .as("successes gave back; a timeout, a 401 and an error kept their charge")
        .isTrue();
  }

  @Test
  void concurrentAttemptsNeverAdmitMoreFailuresThanTheLimit() throws Exception {
    rules(
        "rules:\n  - path: /login\n    ip: 1000/min\n    account: 5/15min\n"
            + "    account-from: form:j_username\n    count: failures\n");
    AtomicInteger failuresAdmitted = new AtomicInteger();
    AtomicInteger successes = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      final int thread = t;
      threads.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < 50; i++) {
              boolean fails = (i + thread) % 2 == 0;
              Verdict verdict = attempt("198.51.100." + thread, form("alice"));
              if (!verdict.isBlocked()) {
                (fails ? failuresAdmitted : successes).incrementAndGet();
                bridge.completed(verdict, fails ? 401 : 200, null, null);
              }
            }
          });
    }
    go.countDown();
    threads.shutdown();
    assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failuresAdmitted.get()).isEqualTo(5);
  }
}
