package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The tests' own Redis servers: one counts as started only when it is this server that answers, so
 * that a test never talks to another process's server on the same port (a second build's tests
 * beside this one, which picked the same free port a moment before).
 */
class RedisServerTest {

  @Test
  void aForeignServerAnsweringOnThePortIsNotTakenForThisOne() throws Exception {
    try (ServerSocket foreign = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Thread answering =
          new Thread(
              () -> {
                while (true) {
                  try (Socket client = foreign.accept()) {
                    client.getOutputStream().write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      answering.setDaemon(true);
      answering.start();
      try (RedisServer server = RedisServer.notStartedOn(foreign.getLocalPort())) {
        assertThatThrownBy(server::restart)
            .isInstanceOf(IOException.class)
            .hasMessageContaining("Address already in use");
      }
    }
  }

  @Test
  void aServerOnAFreePortAnswers() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      assertThat(server.cli("PING")).isEqualTo("PONG");
    }
  }
}
