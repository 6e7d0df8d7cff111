package io.fastlimit.redisfixture;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Docker daemon answers, found out quickly and without a word: {@code GET /_ping} on the
 * daemon's socket ({@code DOCKER_HOST}, else the usual Unix sockets), with a short timeout. Asking
 * Testcontainers instead would try several strategies for seconds and log each failure; a machine
 * with the docker client but no daemon (CI here) answers no in milliseconds.
 */
final class DockerDaemon {

  /** Longest wait for a daemon's answer. */
  static final int TIMEOUT_MILLIS = 1_000;

  private DockerDaemon() {}

  /** The Docker host that answered the ping, or null when none did. */
  static String answering() {
    String host = System.getenv("DOCKER_HOST");
    if (host != null && !host.isBlank()) {
      return pings(host) ? host : null;
    }
    for (Path socket : usualSockets()) {
      if (Files.exists(socket) && pings("unix://" + socket)) {
        return "unix://" + socket;
      }
    }
    return null;
  }

  private static List<Path> usualSockets() {
    List<Path> sockets = new ArrayList<>();
    sockets.add(Path.of("/var/run/docker.sock"));
    String home = System.getProperty("user.home");
    if (home != null) {
      sockets.add(Path.of(home, ".docker", "run", "docker.sock")); // Docker Desktop
    }
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null) {
      sockets.add(Path.of(runtime, "docker.sock")); // rootless Docker
    }
    return sockets;
  }

  /** Whether {@code GET /_ping} on this host gets {@code OK} within the timeout. */
  static boolean pings(String host) {
    try {
      URI uri = URI.create(host);
      if ("unix".equals(uri.getScheme())) {
        return pingUnix(Path.of(uri.getPath()));
      }
      if ("tcp".equals(uri.getScheme()) || "http".equals(uri.getScheme())) {
        return pingTcp(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort());
      }
      return false; // https (TLS to the daemon), ssh, npipe: left to Testcontainers' own checks
    } catch (IllegalArgumentException | IOException e) {
      return false;
    }
  }

  private static final byte[] PING =
      "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static boolean pingTcp(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.getOutputStream().write(PING);
      byte[] reply = socket.getInputStream().readNBytes(512);
      return answeredOk(new String(reply, StandardCharsets.US_ASCII));
    }
  }

  /**
   * A Unix socket has no read timeout: a thread of its own reads, and is given up on (it is a
   * daemon) when the daemon accepts and never answers.
   */
  private static boolean pingUnix(Path socket) {
    StringBuilder reply = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap(PING));
                ByteBuffer buffer = ByteBuffer.allocate(512);
                while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                  // an HTTP/1.0 answer ends when the daemon closes the connection
                }
                synchronized (reply) {
                  reply.append(
                      new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
                }
              } catch (IOException | RuntimeException e) {
                // no daemon: nothing to read
              }
            },
            "docker-ping");
    reader.setDaemon(true);
    reader.start();
    try {
      reader.join(TimeUnit.MILLISECONDS.toMillis(TIMEOUT_MILLIS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    synchronized (reply) {
      return answeredOk(reply.toString());
    }
  }

  private static boolean answeredOk(String reply) {
    return reply.startsWith("HTTP/1.") && reply.contains(" 200 ") && reply.endsWith("OK");
  }
}
