package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.client.IpAddress;
import io.fastlimit.agent.rules.Algorithm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The limiter hands the memory backend the IPv4 bits it parsed the client from, so that the backend
 * does not parse it again: the bucket must be the very one the text alone would find.
 */
class ClientV4HintTest {

  private static final long MINUTE = 60_000;

  @Test
  void theHintPacksAsTheTextDoes() {
    Random random = new Random(15);
    for (int i = 0; i < 100_000; i++) {
      long bits = random.nextInt() & 0xffffffffL;
      String text =
          (bits >>> 24)
              + "."
              + (bits >>> 16 & 0xff)
              + "."
              + (bits >>> 8 & 0xff)
              + "."
              + (bits & 0xff);
      assertThat(IpAddress.parseCanonicalV4(text)).isEqualTo(bits);
      assertThat(ClientKey.ipv4(bits)).as(text).isEqualTo(ClientKey.pack(text));
    }
  }

  @Test
  void aChargeWithTheHintCountsInTheBucketOfTheText() {
    MemoryBackend backend = new MemoryBackend(() -> 28_333_334L * MINUTE, 100);
    Charge plain =
        Charges.charge("t:ip:{", "203.0.113.7", 3, MINUTE, 1, Algorithm.FIXED_WINDOW, false);
    Charge hinted =
        new Charge(
            plain.rule(),
            BucketKind.IP,
            plain.keyStart(),
            plain.client(),
            IpAddress.parseCanonicalV4(plain.client()));
    assertThat(hinted.clientV4()).isEqualTo(IpAddress.parseCanonicalV4("203.0.113.7"));
    assertThat(plain.clientV4()).isEqualTo(-1);

    assertThat(backend.acquire(hinted).remaining()).isEqualTo(2);
    assertThat(backend.acquire(plain).remaining()).isEqualTo(1);
    assertThat(backend.acquire(hinted).remaining()).isZero();
    assertThat(backend.acquire(plain).allowed()).isFalse();
    assertThat(backend.size()).isEqualTo(1);
  }
}
