package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.PendingResponses;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What Micronaut's advice keeps per connection: headers for the response of each admitted request
 * (told apart by identity, as pipelined requests may be equal) and one report of how each request
 * awaiting it ended, whether its response was written or its connection closed first.
 */
class PendingResponsesTest {

  private final List<String> completed = new ArrayList<>();
  private final PendingResponses pending = new PendingResponses();

  private final RateLimitBridge bridge =
      new RateLimitBridge() {
        @Override
        public ActiveRules rules() {
          throw new AssertionError("not asked");
        }

        @Override
        public void answeredInFilter(String m, String c, String s, String p, String f) {}

        @Override
        public void completed(Verdict verdict, int status, String location, String forwardPath) {
          completed.add(verdict.headerValue(0) + " " + status + " " + location);
        }

        @Override
        public void failed(Throwable failure) {
          throw new AssertionError(failure);
        }
      };

  private static Verdict awaiting(String remaining) {
    return Verdict.allowedPending(
        new String[] {"X-RateLimit-Remaining"}, new String[] {remaining}, new Object());
  }

  /** Equal but distinct, as two identical pipelined requests are. */
  private record Request(String target) {}

  @Test
  void eachRequestGetsItsOwnVerdictsHeadersOnce() {
    Request first = new Request("/api/a");
    Request second = new Request("/api/a");
    Verdict one = Verdict.allowed(new String[] {"X-RateLimit-Remaining"}, new String[] {"1"});
    Verdict two = Verdict.allowed(new String[] {"X-RateLimit-Remaining"}, new String[] {"0"});
    pending.admitted(first, one);
    pending.admitted(second, two);

    assertThat(pending.responding(second, 200, null)).isSameAs(two);
    assertThat(pending.responding(first, 200, null)).isSameAs(one);
    assertThat(pending.responding(first, 200, null)).isNull();
    assertThat(pending.responding(new Request("/api/a"), 200, null)).isNull();
  }

  @Test
  void aRequestAwaitingItsEndIsReportedOnceWithItsResponsesStatus() {
    Request request = new Request("/login");
    pending.admitted(request, awaiting("3"));

    assertThat(pending.responding(request, 302, "/login?error")).isNotNull();
    pending.ended(request, bridge);
    pending.ended(request, bridge);
    pending.closed(bridge);

    assertThat(completed).containsExactly("3 302 /login?error");
  }

  @Test
  void aClosedConnectionEndsWhatIsStillInFlightAndNothingTwice() {
    Request answered = new Request("/held/a");
    Request unanswered = new Request("/held/b");
    Request notAwaiting = new Request("/api/c");
    pending.admitted(answered, awaiting("a"));
    pending.admitted(unanswered, awaiting("b"));
    pending.admitted(notAwaiting, Verdict.allowed(new String[] {"X"}, new String[] {"c"}));
    pending.responding(answered, 200, null);
    pending.ended(answered, bridge);

    pending.closed(bridge);
    pending.ended(unanswered, bridge);

    assertThat(completed).containsExactly("a 200 null", "b 0 null");
  }
}
