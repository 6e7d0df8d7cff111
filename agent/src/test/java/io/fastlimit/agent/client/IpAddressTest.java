package io.fastlimit.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

  /** The parsed address in canonical text (IPv6 in full, no prefix cut), or "null". */
  private static String canonical(String text) {
    byte[] address = IpAddress.parse(text);
    return address == null ? "null" : IpAddress.format(address, 128);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // IPv4
        "1.2.3.4 | 1.2.3.4",
        "0.0.0.0 | 0.0.0.0",
        "255.255.255.255 | 255.255.255.255",
        "10.0.0.1 | 10.0.0.1",
        "' 10.0.0.1 ' | 10.0.0.1",
        "1.2.3.4:80 | 1.2.3.4",
        "1.2.3.4:65535 | 1.2.3.4",
        "[1.2.3.4] | 1.2.3.4",
        // IPv6
        ":: | 0:0:0:0:0:0:0:0",
        "::1 | 0:0:0:0:0:0:0:1",
        "[::1] | 0:0:0:0:0:0:0:1",
        "[::1]:80 | 0:0:0:0:0:0:0:1",
        "2001:db8::1 | 2001:db8:0:0:0:0:0:1",
        "2001:DB8::1 | 2001:db8:0:0:0:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329 | 2001:db8:0:0:0:ff00:42:8329",
        "1:2:3:4:5:6:7:8 | 1:2:3:4:5:6:7:8",
        "1:: | 1:0:0:0:0:0:0:0",
        "1::8 | 1:0:0:0:0:0:0:8",
        "1:2:3:4:5:6:7:: | 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8 | 0:2:3:4:5:6:7:8",
        "fe80::1%eth0 | fe80:0:0:0:0:0:0:1",
        "[fe80::1%eth0]:8080 | fe80:0:0:0:0:0:0:1",
        "1:2:3:4:5:6:1.2.3.4 | 1:2:3:4:5:6:102:304",
        "64:ff9b::1.2.3.4 | 64:ff9b:0:0:0:0:102:304",
        // IPv4-mapped IPv6 is IPv4
        "::ffff:1.2.3.4 | 1.2.3.4",
        "::FFFF:1.2.3.4 | 1.2.3.4",
        "[::ffff:10.0.0.1]:443 | 10.0.0.1",
        "::ffff:102:304 | 1.2.3.4",
        "0:0:0:0:0:ffff:1.2.3.4 | 1.2.3.4",
        // not an address
        "010.0.0.1 | null",
        "1.2.3.04 | null",
        "00.1.2.3 | null",
        "256.0.0.1 | null",
        "1.2.3.999 | null",
        "1.2.3 | null",
        "1.2.3.4.5 | null",
        "1..2.3 | null",
        "1.2.3. | null",
        ".1.2.3 | null",
        "1.2.3.-4 | null",
        "0x7f.0.0.1 | null",
        "2130706433 | null",
        "1.2.3.4/8 | null",
        "'1.2.3.4 5' | null",
        "evil.com | null",
        "localhost | null",
        "example.com:80 | null",
        "'' | null",
        "'   ' | null",
        "1:2:3:4:5:6:7:8:9 | null",
        "1:2:3:4:5:6:7 | null",
        "1::2::3 | null",
        "::: | null",
        ":1 | null",
        "1: | null",
        "12345::1 | null",
        "g::1 | null",
        "1:2:3:4:5:6:7:8::  | null",
        "1::2:3:4:5:6:7:8 | null",
        "1:2:3:4:5:6:7:1.2.3.4 | null",
        "::ffff:1.2.3 | null",
        "::ffff:256.1.1.1 | null",
        "::ffff:1.2.3.4:80 | null",
        "[::1 | null",
        "[] | null",
        "% | null",
        "%eth0 | null",
        "1.2.3.4%eth0 | null"
      })
  void parsesAddressLiteralsStrictly(String text, String expected) {
    assertThat(canonical(text)).isEqualTo(expected);
  }

  @Test
  void nullIsNotAnAddress() {
    assertThat(IpAddress.parse(null)).isNull();
  }

  @Test
  void ipv4ComesBackAsFourBytesAndIpv6AsSixteen() {
    assertThat(IpAddress.parse("1.2.3.4")).containsExactly(1, 2, 3, 4);
    assertThat(IpAddress.parse("::ffff:1.2.3.4")).hasSize(4);
    assertThat(IpAddress.parse("::1")).hasSize(16);
    assertThat(IpAddress.parse("::")).hasSize(16);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\uFF11.2.3.4", // fullwidth digit one
        "::\uFF11", // fullwidth digit one
        "::\u0661", // Arabic-Indic digit one
        "\uFF21::1", // fullwidth A
        "fe80::\u0967" // Devanagari digit one
      })
  void nonAsciiDigitsAreNotAddresses(String text) {
    assertThat(IpAddress.parse(text)).isNull();
  }

  @Test
  void veryLongTextIsRefusedWithoutWork() {
    assertThat(IpAddress.parse("1".repeat(100_000))).isNull();
    assertThat(IpAddress.parse(":".repeat(65))).isNull();
    assertThat(IpAddress.parse("1.2.3.4" + " ".repeat(10_000))).isNotNull(); // trimmed
    assertThat(IpAddress.parse("fe80::1%" + "e".repeat(100))).isNull();
  }

  @Test
  void formatsIpv4Dotted() {
    assertThat(IpAddress.format(new byte[] {(byte) 192, (byte) 168, 0, (byte) 255}, 64))
        .isEqualTo("192.168.0.255");
  }

  @Test
  void formatsIpv6CutToThePrefix() {
    byte[] address = IpAddress.parse("2001:db8:1:2:3:4:5:6");

    assertThat(IpAddress.format(address, 64)).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(IpAddress.format(address, 48)).isEqualTo("2001:db8:1:0:0:0:0:0/48");
    assertThat(IpAddress.format(address, 56)).isEqualTo("2001:db8:1:0:0:0:0:0/56");
    assertThat(IpAddress.format(IpAddress.parse("2001:db8:1:ff:1::"), 56))
        .isEqualTo("2001:db8:1:0:0:0:0:0/56");
    assertThat(IpAddress.format(IpAddress.parse("2001:db8:1:1ff::"), 56))
        .isEqualTo("2001:db8:1:100:0:0:0:0/56");
    assertThat(IpAddress.format(address, 128)).isEqualTo("2001:db8:1:2:3:4:5:6");
    assertThat(IpAddress.format(address, 0)).isEqualTo("0:0:0:0:0:0:0:0/0");
  }

  @Test
  void addressesInTheSameSlash64ShareAKey() {
    String one = IpAddress.format(IpAddress.parse("2001:db8::1"), 64);
    String other = IpAddress.format(IpAddress.parse("2001:db8::ffff:1"), 64);
    String elsewhere = IpAddress.format(IpAddress.parse("2001:db8:0:1::1"), 64);

    assertThat(one).isEqualTo(other).isNotEqualTo(elsewhere);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "01.2.3.4",
        "1.2.3.04",
        "00.1.2.3",
        "256.1.1.1",
        "1.2.3.256",
        "1.2.3.1000",
        "1.2.3",
        "1.2.3.4.",
        "1.2.3.4.5",
        "1..2.3",
        ".1.2.3",
        "1.2.3.",
        "1.2..3.4",
        "1.2.3.4a",
        "a1.2.3.4",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.-4",
        "::ffff:1.2.3.4"
      })
  void theCanonicalIpv4FastPathRefusesEveryOtherSpelling(String text) {
    assertThat(IpAddress.parseCanonicalV4(text)).isEqualTo(-1);
  }

  @Test
  void theCanonicalIpv4FastPathAgreesWithItsDefinitionOnRandomText() {
    Random random = new Random(15);
    char[] alphabet = "0123456789.".toCharArray();
    for (int n = 0; n < 200_000; n++) {
      char[] text = new char[7 + random.nextInt(9)];
      for (int i = 0; i < text.length; i++) {
        text[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String address = new String(text);
      assertThat(IpAddress.parseCanonicalV4(address)).as(address).isEqualTo(byDefinition(address));
    }
    assertThat(IpAddress.parseCanonicalV4("0.0.0.0")).isZero();
    assertThat(IpAddress.parseCanonicalV4("255.255.255.255")).isEqualTo(0xffffffffL);
    assertThat(IpAddress.parseCanonicalV4("203.0.113.7")).isEqualTo(0xcb007107L);
  }

  /** Four parts of one to three digits, each at most 255, no leading zero: the bits, else -1. */
  private static long byDefinition(String text) {
    if (!text.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
      return -1;
    }
    long bits = 0;
    for (String part : text.split("\\.")) {
      int value = Integer.parseInt(part);
      if (value > 255) {
        return -1;
      }
      bits = bits << 8 | value;
    }
    return bits;
  }
}
