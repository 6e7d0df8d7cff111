package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.ActiveRules;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdviceHelpersTest {

  @Test
  void forwardedForLinesAreJoinedByCommasAndNoneIsNull() {
    assertThat(ActiveRules.joinLines(List.of("203.0.113.7", "10.0.0.1, 10.0.0.2")))
        .isEqualTo("203.0.113.7,10.0.0.1, 10.0.0.2");
    assertThat(ActiveRules.joinLines(new ArrayList<String>())).isNull();
    assertThat(ActiveRules.joinLines((List<String>) null)).isNull();
  }

  @Test
  void peerIsTheResolvedIpAddressOnly() throws Exception {
    InetAddress ip = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 9});
    assertThat(ActiveRules.peerAddress(new InetSocketAddress(ip, 4711))).isEqualTo("192.0.2.9");
    assertThat(ActiveRules.peerAddress(InetSocketAddress.createUnresolved("client.example", 1)))
        .isNull();
    assertThat(ActiveRules.peerAddress(new SocketAddress() {})).isNull();
    assertThat(ActiveRules.peerAddress(null)).isNull();
  }
}
