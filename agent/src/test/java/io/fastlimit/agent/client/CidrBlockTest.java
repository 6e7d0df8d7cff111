package io.fastlimit.agent.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrBlockTest {

  private static boolean contains(String block, String address) {
    return CidrBlock.parse(block).contains(IpAddress.parse(address));
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0, true",
    "10.0.0.0/8, 10.255.255.255, true",
    "10.0.0.0/8, 11.0.0.0, false",
    "10.0.0.0/8, 9.255.255.255, false",
    "192.168.1.0/24, 192.168.1.77, true",
    "192.168.1.0/24, 192.168.2.1, false",
    "172.16.0.0/12, 172.31.255.255, true",
    "172.16.0.0/12, 172.32.0.0, false",
    "10.1.2.3/8, 10.9.9.9, true",
    "0.0.0.0/0, 1.2.3.4, true",
    "0.0.0.0/0, 255.255.255.255, true",
    "1.2.3.4/32, 1.2.3.4, true",
    "1.2.3.4/32, 1.2.3.5, false",
    "1.2.3.4, 1.2.3.4, true",
    "1.2.3.4, 1.2.3.5, false",
    "1.2.3.128/25, 1.2.3.200, true",
    "1.2.3.128/25, 1.2.3.127, false",
    "1.2.3.4/31, 1.2.3.5, true",
    "1.2.3.4/31, 1.2.3.6, false",
    "::1, ::1, true",
    "::1, ::2, false",
    "::1/128, ::1, true",
    "2001:db8::/32, 2001:db8:ffff::1, true",
    "2001:db8::/32, 2001:db9::1, false",
    "2001:db8::/33, 2001:db8:7fff::1, true",
    "2001:db8::/33, 2001:db8:8000::1, false",
    "::/0, 2001:db8::1, true",
    "::/0, ::, true",
    "fe80::/10, fe80::1, true",
    "fe80::/10, febf::1, true",
    "fe80::/10, fec0::1, false",
    // families never mix
    "0.0.0.0/0, ::1, false",
    "::/0, 1.2.3.4, false",
    // an IPv4-mapped peer is IPv4
    "10.0.0.0/8, ::ffff:10.1.2.3, true",
    "::ffff:10.0.0.0/104, 10.1.2.3, true",
    "::ffff:10.0.0.0/104, 11.1.2.3, false",
    "::ffff:10.0.0.1/128, 10.0.0.1, true",
    "::ffff:10.0.0.1/128, 10.0.0.2, false",
    "::ffff:10.0.0.1, 10.0.0.1, true",
    "::ffff:10.0.0.1, 10.0.0.2, false"
  })
  void containsExactlyTheAddressesOfItsPrefix(String block, String address, boolean expected) {
    assertThat(contains(block, address)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/-0",
        "10.0.0.0/",
        "10.0.0.0/x",
        "10.0.0.0/8/8",
        "::/129",
        "::1/1000000000000",
        // below /96 a mapped range would reach past IPv4 into all of it
        "::ffff:10.0.0.0/8",
        "::ffff:10.0.0.0/95"
      })
  void badPrefixLengthIsRefusedWithTheValidRange(String text) {
    assertThatThrownBy(() -> CidrBlock.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid CIDR '" + text + "'")
        .hasMessageContaining("the prefix length must be");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "evil.com", "010.0.0.0/8", "256.0.0.0/8", "10.0.0/8", "/8", "1::2::3"})
  void badAddressIsRefusedWithAnExample(String text) {
    assertThatThrownBy(() -> CidrBlock.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid address '" + text + "'")
        .hasMessageContaining("10.0.0.0/8");
  }

  @Test
  void keepsItsTextForMessages() {
    assertThat(CidrBlock.parse(" 10.0.0.0/8 ")).hasToString("10.0.0.0/8");
  }
}
