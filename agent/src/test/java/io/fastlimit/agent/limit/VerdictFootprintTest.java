package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.Verdict;
import java.lang.management.ManagementFactory;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Every admitted request allocates its verdict, so its size is paid per request (issue 15): the
 * admitted verdict holds its headers and nothing of a blocked one. Bytes counted by the JVM per
 * thread, not timed; escape analysis can only lower them.
 */
class VerdictFootprintTest {

  private static final int COUNT = 10_000;
  private static final String[] NAMES = {"X-RateLimit-Limit", "X-RateLimit-Remaining"};

  @Test
  void anAdmittedVerdictWithALateRemainingTakesAtMost32Bytes() {
    String[] values = {"100", null};
    Verdict last = bytesEach(count -> Verdict.allowedCounting(NAMES, values, count), 32);

    assertThat(last.headerValue(1)).isEqualTo(Long.toString(COUNT - 1));
    assertThat(last.isBlocked()).isFalse();
    assertThat(last.awaitsCompletion()).isFalse();
  }

  @Test
  void anAdmittedVerdictTakesAtMost24Bytes() {
    String[] values = {"100", "99"};
    Verdict last = bytesEach(count -> Verdict.allowedCounting(NAMES, values, count), 24);

    assertThat(last.headerValue(1)).isEqualTo("99");
    assertThat(last.status()).isZero();
    assertThat(last.bodyLength()).isZero();
  }

  @Test
  void anAdmittedVerdictOfThreeHeaderValuesTakesAtMost48BytesWithNoArray() {
    String[] names = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"};
    Verdict last =
        bytesEach(
            count -> Verdict.allowedThree(names, "999999999999", null, "1700000000", count), 48);

    assertThat(last.headerCount()).isEqualTo(3);
    assertThat(last.headerValue(0)).isEqualTo("999999999999");
    assertThat(last.headerValue(1)).isEqualTo(Long.toString(COUNT - 1));
    assertThat(last.headerValue(2)).isEqualTo("1700000000");
    assertThat(last.isBlocked()).isFalse();
    assertThat(last.awaitsCompletion()).isFalse();
  }

  /** Makes {@link #COUNT} verdicts, checks each took at most {@code limit} bytes; the last. */
  private static Verdict bytesEach(LongFunction<Verdict> make, long limit) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Verdict[] kept = new Verdict[COUNT];
    long id = Thread.currentThread().getId();
    kept[0] = make.apply(0); // classes loaded before counting
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < COUNT; i++) {
      kept[i] = make.apply(i);
    }
    long perVerdict = (threads.getThreadAllocatedBytes(id) - before) / COUNT;
    assertThat(perVerdict).as("bytes per verdict").isLessThanOrEqualTo(limit);
    return kept[COUNT - 1];
  }
}
