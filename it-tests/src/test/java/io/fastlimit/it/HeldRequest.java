package io.fastlimit.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A GET sent on its own connection whose answer is read later; closing it abandons the request. */
final class HeldRequest implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  private HeldRequest(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static HeldRequest send(int port, String target) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    String request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return new HeldRequest(socket);
  }

  /** True once some answer has arrived (without reading it). */
  boolean answered() throws IOException {
    return in.available() > 0;
  }

  /** The answer, waiting for it. */
  HttpResult response() throws IOException {
    socket.setSoTimeout(20_000);
    return RawHttp.read(in, false);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
