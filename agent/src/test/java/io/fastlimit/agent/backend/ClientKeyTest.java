package io.fastlimit.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientKeyTest {

  @Test
  void twoDifferentIdsNeverPackAlike() {
    List<String> ids = new ArrayList<>();
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
    assertThat(ClientKey.pack("010.0.0.1")).isEqualTo(ClientKey.NOT_PACKED); // 9 characters
    assertThat(ClientKey.pack("10.0.0.01")).isEqualTo(ClientKey.NOT_PACKED);
    Map<Long, String> seen = new HashMap<>();
    for (String id : ids) {
      long packed = ClientKey.pack(id);
      if (packed == ClientKey.NOT_PACKED) {
        continue; // compared as text
      }
      String other = seen.put(packed, id);
      assertThat(other == null || other.equals(id)).as("%s and %s", id, other).isTrue();
    }
  }

  @Test
  void idsThatDoNotFitAreNotPacked() {
    assertThat(ClientKey.pack("abcdefgh")).isEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("2001:db8::1")).isEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("é")).isEqualTo(ClientKey.NOT_PACKED);
    assertThat(ClientKey.pack("")).isEqualTo(ClientKey.NOT_PACKED);
  }

  @Test
  void idsWithEqualStringHashCodesHashApart() {
    assertThat("AaAaAaAa".hashCode()).isEqualTo("BBBBBBBB".hashCode());

    long seed = 12345;
    assertThat(ClientKey.hash(ClientKey.NOT_PACKED, "AaAaAaAa", seed))
        .isNotEqualTo(ClientKey.hash(ClientKey.NOT_PACKED, "BBBBBBBB", seed));
  }
}
