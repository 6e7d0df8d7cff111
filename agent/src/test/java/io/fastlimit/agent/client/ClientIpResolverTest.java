package io.fastlimit.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientIpResolverTest {

  private static ClientIpResolver resolver(int trustedProxies, String... exempt) {
    return new ClientIpResolver(
        trustedProxies, java.util.Arrays.stream(exempt).map(CidrBlock::parse).toList(), 64);
  }

  private static String key(int trustedProxies, String peer, String forwardedFor) {
    String client = resolver(trustedProxies).resolve(peer, forwardedFor);
    assertThat(client).as("not exempt").isNotNull();
    return client;
  }

  @Test
  void withoutTrustedProxiesTheSocketPeerIsTheClient() {
    assertThat(key(0, "203.0.113.7", null)).isEqualTo("203.0.113.7");
  }

  @Test
  void spoofedForwardedForIsIgnoredWithoutTrustedProxies() {
    assertThat(key(0, "203.0.113.7", "127.0.0.1")).isEqualTo("203.0.113.7");
    assertThat(resolver(0, "127.0.0.1").resolve("203.0.113.7", "127.0.0.1")).isNotNull();
  }

  @Test
  void forwardedForIsReadOnlyWhenProxiesAreTrusted() {
    assertThat(resolver(0).forwardedForHeader()).isNull();
    assertThat(resolver(1).forwardedForHeader()).isEqualTo("X-Forwarded-For");
    assertThat(resolver(2).trustedProxies()).isEqualTo(2);
  }

  @ParameterizedTest(name = "trusted={0} xff=[{1}] -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // one proxy: the entry it appended, the rightmost
        "1 | 198.51.100.1 | 198.51.100.1",
        "1 | 6.6.6.6, 198.51.100.1 | 198.51.100.1",
        "1 | 6.6.6.6,198.51.100.1 | 198.51.100.1",
        "1 | '  6.6.6.6 ,   198.51.100.1  ' | 198.51.100.1",
        // two proxies: the second from the right
        "2 | 6.6.6.6, 198.51.100.1, 10.0.0.2 | 198.51.100.1",
        "2 | 198.51.100.1, 10.0.0.2 | 198.51.100.1",
        // fewer entries than proxies: the leftmost entry, never the peer (our own proxy)
        "2 | 10.0.0.2 | 10.0.0.2",
        "3 | 1.1.1.1, 2.2.2.2 | 1.1.1.1",
        // an entry that is not an address: counted under that text, never the peer
        "1 | 6.6.6.6, evil.com | evil.com",
        "1 | 6.6.6.6, unknown | unknown",
        "1 | 6.6.6.6, | unknown",
        "2 | 6.6.6.6, , 10.0.0.2 | unknown",
        "1 | 6.6.6.6, 010.0.0.1 | 010.0.0.1",
        // no header at all: a direct connection, the peer is the client
        "1 | '' | 10.9.9.9",
        // what proxies write
        "1 | 198.51.100.1:4711 | 198.51.100.1",
        "1 | [2001:db8::1]:4711 | 2001:db8:0:0:0:0:0:0/64",
        "1 | ::ffff:198.51.100.1 | 198.51.100.1",
        // several header lines, joined with ',' by the advice
        "1 | 6.6.6.6, 7.7.7.7,198.51.100.1 | 198.51.100.1",
        "2 | 6.6.6.6,198.51.100.1,10.0.0.2 | 198.51.100.1"
      })
  void trustedProxiesPickTheNthEntryFromTheRight(int trusted, String forwardedFor, String key) {
    assertThat(key(trusted, "10.9.9.9", forwardedFor)).isEqualTo(key);
  }

  @Test
  void missingForwardedForMeansTheSocketPeer() {
    assertThat(key(1, "10.9.9.9", null)).isEqualTo("10.9.9.9");
  }

  @Test
  void clientCannotSpoofPastTheTrustedProxy() {
    // the client wrote 127.0.0.1 itself; the proxy appended the address it really saw
    ClientIpResolver resolver = resolver(1, "127.0.0.1");

    String client = resolver.resolve("10.0.0.2", "127.0.0.1, 203.0.113.9");

    assertThat(client).isEqualTo("203.0.113.9");
  }

  @Test
  void exemptAddressesAndRangesSkipTheClient() {
    ClientIpResolver resolver = resolver(0, "127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32");

    assertThat(resolver.resolve("127.0.0.1", null)).isNull();
    assertThat(resolver.resolve("10.200.0.1", null)).isNull();
    assertThat(resolver.resolve("::1", null)).isNull();
    assertThat(resolver.resolve("2001:db8:5::9", null)).isNull();
    assertThat(resolver.resolve("127.0.0.2", null)).isNotNull();
    assertThat(resolver.resolve("11.0.0.1", null)).isNotNull();
    assertThat(resolver.resolve("127.0.0.1", null)).isNull();
  }

  @Test
  void exemptionAppliesToTheAddressTheTrustedProxySaw() {
    ClientIpResolver resolver = resolver(1, "192.0.2.0/24");

    assertThat(resolver.resolve("10.0.0.2", "192.0.2.55")).isNull();
    assertThat(resolver.resolve("192.0.2.1", "198.51.100.1")).isNotNull();
  }

  @Test
  void ipv4MappedPeerCountsAsIpv4() {
    ClientIpResolver resolver = resolver(0, "10.0.0.0/8");

    assertThat(resolver.resolve("::ffff:10.1.2.3", null)).isNull();
    String client = resolver.resolve("::ffff:198.51.100.1", null);
    assertThat(client).isEqualTo("198.51.100.1");
    assertThat(client).isEqualTo(resolver.resolve("198.51.100.1", null));
  }

  @Test
  void ipv6ClientsOfOneSlash64ShareABucket() {
    assertThat(key(0, "2001:db8:1:2::1", null))
        .isEqualTo(key(0, "2001:db8:1:2:ffff::9", null))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
  }

  @Test
  void ipv6PrefixIsConfigurable() {
    ClientIpResolver wide = new ClientIpResolver(0, List.of(), 48);
    ClientIpResolver exact = new ClientIpResolver(0, List.of(), 128);

    assertThat(wide.resolve("2001:db8:1:2::1", null)).isEqualTo("2001:db8:1:0:0:0:0:0/48");
    assertThat(exact.resolve("2001:db8:1:2::1", null)).isEqualTo("2001:db8:1:2:0:0:0:1");
  }

  @Test
  void peerThatIsNotAnAddressGetsOneBoundedKey() {
    ClientIpResolver resolver = resolver(0);

    assertThat(resolver.resolve(null, null)).isEqualTo("unknown");
    assertThat(resolver.resolve("unix-socket", null)).isEqualTo("unix-socket");
    String odd = resolver.resolve("/var/run/app.sock " + "x".repeat(500), null);
    assertThat(odd).startsWith("~").hasSizeLessThanOrEqualTo(KeyText.MAX_PLAIN_LENGTH);
  }

  @Test
  void longForwardedForIsReadFromTheRightOnly() {
    String header = "6.6.6.6, ".repeat(100_000) + "198.51.100.1, 10.0.0.2";

    assertThat(key(2, "10.0.0.3", header)).isEqualTo("198.51.100.1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"a,b,c | 1 | c", "a,b,c | 3 | a", "a | 1 | a", "' a ' | 1 | a"})
  void nthFromRightCountsCommaSeparatedEntries(String header, int n, String entry) {
    assertThat(ClientIpResolver.nthFromRight(header, n)).isEqualTo(entry);
  }

  @Test
  void nthFromRightIsNullWhenThereAreFewerEntries() {
    assertThat(ClientIpResolver.nthFromRight("a,b,c", 4)).isNull();
    assertThat(ClientIpResolver.nthFromRight("a", 2)).isNull();
  }

  @Test
  void aRequestThatSkippedTheTrustedProxiesIsNeverExemptThroughTheProxysAddress() {
    ClientIpResolver resolver =
        new ClientIpResolver(2, java.util.List.of(CidrBlock.parse("10.0.0.0/8")), 64);
    // the peer is our inner proxy, inside the exempt network
    assertThat(resolver.resolve("10.0.0.5", "203.0.113.9")).isNotNull();
    assertThat(resolver.resolve("10.0.0.5", "203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(resolver.resolve("10.0.0.5", "junk, 203.0.113.9")).isNotNull();
    // a short header naming an exempt address is not believed either
    assertThat(resolver.resolve("10.0.0.5", "10.1.1.1")).isNotNull();
    // the full chain of proxies can still mark an internal client exempt
    assertThat(resolver.resolve("10.0.0.5", "10.1.1.1, 10.0.0.4")).isNull();
  }

  @Test
  void peerV4GivesTheBitsOfACanonicalIpv4PeerThatIsItsOwnKey() {
    ClientIpResolver resolver = resolver(0, "10.0.0.0/8");
    assertThat(resolver.peerV4("203.0.113.7", null))
        .isEqualTo(IpAddress.parseCanonicalV4("203.0.113.7"));
    assertThat(resolver.peerV4("10.1.2.3", null)).isEqualTo(ClientIpResolver.EXEMPT);
    assertThat(resolver.resolve("10.1.2.3", null)).isNull();
    // anything resolve must rewrite or look further for is left to it
    assertThat(resolver.peerV4("::ffff:203.0.113.7", null))
        .isEqualTo(ClientIpResolver.NOT_A_V4_PEER);
    assertThat(resolver.peerV4("203.0.113.07", null)).isEqualTo(ClientIpResolver.NOT_A_V4_PEER);
    assertThat(resolver.peerV4(null, null)).isEqualTo(ClientIpResolver.NOT_A_V4_PEER);
    assertThat(resolver(1).peerV4("203.0.113.7", "198.51.100.1"))
        .isEqualTo(ClientIpResolver.NOT_A_V4_PEER);
    assertThat(resolver(1).peerV4("203.0.113.7", null))
        .isEqualTo(IpAddress.parseCanonicalV4("203.0.113.7"));
  }
}
