package io.fastlimit.it;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * For {@code count: failures} tests: a success is given back when the server completes it, which
 * may come after the client has its answer and sent the next request. A refused attempt uses
 * nothing, so it is sent again until the earlier give-backs have landed; when they never do (the
 * give-back is broken), the last 429 comes back after a minute and the test's assertion fails.
 */
final class GiveBacks {

  private GiveBacks() {}

  static HttpResult onceGivenBack(Callable<HttpResult> attempt) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResult result = attempt.call();
    while (result.status() == 429 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      result = attempt.call();
    }
    return result;
  }
}
