package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientKeyTest {

  @Test
  void twoDifferentIdsNeverPackAlike() {
    Set<String> ids = new LinkedHashSet<>();
    for (String ip :
        new String[] {
          "10.0.0.1", "010.0.0.1", "10.0.0.01", "1.2.3.4", "255.255.255.255", "0.0.0.0"
        }) {
      ids.add(ip);
    }
    String[] shortIds = {"a", "a\0", "\0a", "ab", "ba", "abcdefg", "1.2.3", "\u007f", "Aa", "BB"};
    for (String id : shortIds) {
      ids.add(id);
    }
    for (int i = 0; i < 70_000; i++) {
      ids.add("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
      ids.add(Integer.toString(i, 36));
    }
    String[] wideIds = {
      "abcdefgh", "abcdefgh\0", "\0abcdefgh", "abcdefghijklmno", "abcdefghijklmn", "bbcdefghijklmno"
    };
    for (String id : wideIds) {
      ids.add(id);
    }
    for (int i = 0; i < 70_000; i++) {
      ids.add("user-" + (1_000_000 + i));
      String groups = Integer.toHexString(i >>> 8) + ":" + Integer.toHexString(i & 0xffff);
      ids.add("2001:db8:" + groups + ":0:0:0:0/64");
      ids.add("2001:db8:" + groups + ":0:0:0:0/48");
    }
    // not canonical: an id of 9 characters, not the address 10.0.0.1
    assertThat(ClientKey.pack("010.0.0.1")).isNotEqualTo(ClientKey.pack("10.0.0.1"));
    assertThat(ClientKey.pack("10.0.0.01")).isNotEqualTo(ClientKey.pack("10.0.0.1"));
    Map<List<Long>, String> seen = new HashMap<>();
    for (String id : ids) {
      long packed = ClientKey.pack(id);
      assertThat(packed).as(id).isNotEqualTo(ClientKey.NOT_PACKED);
      String other = seen.put(List.of(packed, ClientKey.packLow(id, packed)), id);
      assertThat(other == null || other.equals(id)).as("%s and %s", id, other).isTrue();
    }
    assertThat(seen).hasSize(ids.size()); // every one of them packs
  }

  @Test
  void idsThatDoNotFitAreNotPacked() {
    assertThat(ClientKey.pack("abcdefghijklmnop")).isEqualTo(ClientKey.NOT_PACKED); // 16
    assertThat(ClientKey.pack("user-1234567é")).isEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("2001:db8:0:0:0:0:0:1")).isEqualTo(ClientKey.NOT_PACKED); // a /128
    assertThat(ClientKey.pack("é")).isEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("")).isEqualTo(ClientKey.NOT_PACKED);
    // IPv6 key text other than the resolver's canonical form of a prefix of at most 64 bits
    for (String text :
        new String[] {
          "2001:0db8:0:1234:0:0:0:0/64", // a leading zero
          "2001:DB8:0:1234:0:0:0:0/64", // upper case
          "2001:db8::1234:0:0:0:0/64",
          "2001:db8:0:1234::/64",
          "2001:db8:0:1234:0:0:0:1/64", // bits past the 64th
          "2001:db8:0:1234:0:0:0:0/65",
          "2001:db8:0:1234:0:0:0:0/064",
          "2001:db8:0:1234:0:0:0:0/",
          "2001:db8:0:1234:0:0:0:0",
          "2001:db8:0:12345:0:0:0:0/64",
          "2001:db8:0:1234:0:0:0:0/64 ",
          "2001:db8:0:1234:0:0:0:0:0/64",
          "2001:db8:0:1234:0:0:0/64",
          "2001:db8:0:g:0:0:0:0/64",
          ":db8:0:1234:0:0:0:0/64",
          "2001:db8:0:1234:0:0:0:00/64",
          "2001:db8:0:1234:0:0:0:0/640",
        }) {
      assertThat(ClientKey.pack(text)).as(text).isEqualTo(ClientKey.NOT_PACKED);
    }
  }

  @Test
  void commonIdsOfUpToFifteenCharactersAndIpv6PrefixesArePacked() {
    for (String id :
        new String[] {
          "abcdefgh", "user-1234567", "abcdefghijklmno", "~Zx9_-", "2001:db8:0:1234:0:0:0:0/64"
        }) {
      assertThat(ClientKey.pack(id)).as(id).isNotEqualTo(ClientKey.NOT_PACKED);
    }
    String prefix = "2001:db8:0:1234:0:0:0:0/64";
    assertThat(ClientKey.packLow(prefix, ClientKey.pack(prefix))).isEqualTo(0x20010db800001234L);
    String all = "ffff:ffff:ffff:ffff:0:0:0:0/64";
    assertThat(ClientKey.packLow(all, ClientKey.pack(all))).isEqualTo(-1L);
    assertThat(ClientKey.pack("0:0:0:0:0:0:0:0/0")).isNotEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("2001:db8:100:0:0:0:0:0/40")).isNotEqualTo(ClientKey.NOT_PACKED);
    // a key that fits one long has no second part
    assertThat(ClientKey.packLow("10.0.0.1", ClientKey.pack("10.0.0.1"))).isZero();
    assertThat(ClientKey.packLow("abc", ClientKey.pack("abc"))).isZero();
  }

  /**
   * Random ids from a small alphabet, so that near-identical ones are many (prefixes of each other,
   * one character apart, NUL padding, IPv6 texts one group apart): no two different ids may pack
   * alike, whatever kind of key each packs as.
   */
  @Test
  void randomIdsNeverPackAlike() {
    Random random = new Random(20261202L);
    char[] alphabet = {'\0', 'a', 'b', '0', '1', 'f', '.', ':', '/', '\u007f', 'é'};
    String[] groups = {"0", "1", "10", "f", "ff", "fff0", "ffff", "0f", "1000", "F", ""};
    String[] suffixes = {"/64", "/0", "/48", "/63", "/65", "/064", "/128", ""};
    Map<List<Long>, String> seen = new HashMap<>();
    int packed = 0;
    for (int i = 0; i < 400_000; i++) {
      String id;
      if (random.nextBoolean()) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(18);
        for (int c = 0; c < length; c++) {
          text.append(alphabet[random.nextInt(alphabet.length)]);
        }
        id = text.toString();
      } else {
        StringBuilder text = new StringBuilder();
        for (int g = 0; g < 8; g++) {
          if (g > 0) {
            text.append(':');
          }
          text.append(
              g < 4 || random.nextInt(20) == 0 ? groups[random.nextInt(groups.length)] : "0");
        }
        id = text.append(suffixes[random.nextInt(suffixes.length)]).toString();
      }
      long high = ClientKey.pack(id);
      assertThat(ClientKey.pack(id)).isEqualTo(high);
      if (high == ClientKey.NOT_PACKED) {
        continue; // compared as text
      }
      packed++;
      String other = seen.put(List.of(high, ClientKey.packLow(id, high)), id);
      assertThat(other == null || other.equals(id)).as("%s and %s", id, other).isTrue();
    }
    assertThat(packed).isGreaterThan(100_000);
    assertThat(seen.values()).anyMatch(id -> id.endsWith("/64"));
    assertThat(seen.values()).anyMatch(id -> id.length() >= 8 && id.length() <= 15);
  }

  @Test
  void wideIdsThatDifferInTheirSecondPartHashApart() {
    long seed = 12345;
    long high = ClientKey.pack("user-1234567");
    assertThat(ClientKey.pack("user-1234568")).isEqualTo(high);
    assertThat(ClientKey.hash(high, ClientKey.packLow("user-1234567", high), "user-1234567", seed))
        .isNotEqualTo(
            ClientKey.hash(high, ClientKey.packLow("user-1234568", high), "user-1234568", seed));
  }

  @Test
  void idsWithEqualStringHashCodesHashApart() {
    assertThat("AaAaAaAa".hashCode()).isEqualTo("BBBBBBBB".hashCode());

    long seed = 12345;
    assertThat(ClientKey.hash(ClientKey.NOT_PACKED, 0, "AaAaAaAa", seed))
        .isNotEqualTo(ClientKey.hash(ClientKey.NOT_PACKED, 0, "BBBBBBBB", seed));
  }
}
