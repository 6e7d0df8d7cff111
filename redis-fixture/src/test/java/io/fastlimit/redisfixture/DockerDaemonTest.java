package io.fastlimit.redisfixture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Looking for a Docker daemon: a yes only from one that answers {@code /_ping}. */
class DockerDaemonTest {

  /** A server on a free loopback port that answers each connection with {@code reply}, or not. */
  private static ServerSocket fakeDaemon(String reply) throws IOException {
    ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket client = server.accept()) {
                  client.getInputStream().read(new byte[512]);
                  if (reply == null) {
                    Thread.sleep(3 * DockerDaemon.TIMEOUT_MILLIS); // accepts, never answers
                  } else {
                    client.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
                  }
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            });
    thread.setDaemon(true);
    thread.start();
    return server;
  }

  @Test
  void aDaemonThatAnswersPingIsFound() throws IOException {
    try (ServerSocket daemon =
        fakeDaemon("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK")) {
      assertThat(DockerDaemon.pings("tcp://127.0.0.1:" + daemon.getLocalPort())).isTrue();
    }
  }

  @Test
  void aDaemonOnAUnixSocketIsFound(@TempDir Path dir) throws IOException {
    Path socket = dir.resolve("docker.sock");
    try (java.nio.channels.ServerSocketChannel daemon =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      daemon.bind(java.net.UnixDomainSocketAddress.of(socket));
      Thread thread =
          new Thread(
              () -> {
                try (java.nio.channels.SocketChannel client = daemon.accept()) {
                  client.read(java.nio.ByteBuffer.allocate(512));
                  client.write(
                      java.nio.ByteBuffer.wrap(
                          "HTTP/1.0 200 OK\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                  // the test fails on its own
                }
              });
      thread.setDaemon(true);
      thread.start();

      assertThat(DockerDaemon.pings("unix://" + socket)).isTrue();
    }
  }

  @Test
  void somethingElseOnThePortIsNoDaemon() throws IOException {
    try (ServerSocket other = fakeDaemon("-ERR unknown command\r\n")) {
      assertThat(DockerDaemon.pings("tcp://127.0.0.1:" + other.getLocalPort())).isFalse();
    }
  }

  @Test
  void aDaemonThatNeverAnswersIsGivenUpOn() throws IOException {
    try (ServerSocket silent = fakeDaemon(null)) {
      assertThat(DockerDaemon.pings("tcp://127.0.0.1:" + silent.getLocalPort())).isFalse();
    }
  }

  @Test
  void nothingListeningIsNoDaemon(@TempDir Path dir) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    assertThat(DockerDaemon.pings("tcp://127.0.0.1:" + port)).isFalse();
    assertThat(DockerDaemon.pings("unix://" + dir.resolve("docker.sock"))).isFalse();
    assertThat(DockerDaemon.pings("ssh://somewhere")).isFalse();
  }

  @Test
  void localIsUsedWhenAskedFor() throws Exception {
    String before = System.getProperty("fastlimit.test.redis");
    System.setProperty("fastlimit.test.redis", "local");
    try (TestRedis redis = TestRedis.start()) {
      assertThat(redis.description()).startsWith("local redis-server");
      assertThat(redis.cli("PING")).isEqualTo("PONG");
    } finally {
      if (before == null) {
        System.clearProperty("fastlimit.test.redis");
      } else {
        System.setProperty("fastlimit.test.redis", before);
      }
    }
  }
}
