package io.fastlimit.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 request (h2c with prior knowledge, stream 1) whose client has not finished its body:
 * the server can answer it in full while the stream stays half open, so whatever the server does
 * only when the stream closes has not happened yet when the client holds the response. Just enough
 * of HTTP/2 for that, by hand: the JDK's client does not hand out a response before its request
 * body is sent.
 */
final class H2cRequestLeftOpen implements Closeable {

  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int GOAWAY = 7;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int ACK = 0x1;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private H2cRequestLeftOpen(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Sends {@code POST path} with the first bytes of a body, and leaves the body unfinished. */
  static H2cRequestLeftOpen post(int port, String path) throws IOException {
    H2cRequestLeftOpen request = new H2cRequestLeftOpen(new Socket("127.0.0.1", port));
    request.socket.setSoTimeout(20_000);
    request.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    request.frame(SETTINGS, 0, 0, new byte[0]);
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    literal(headers, ":method", "POST");
    literal(headers, ":scheme", "http");
    literal(headers, ":path", path);
    literal(headers, ":authority", "127.0.0.1:" + port);
    request.frame(HEADERS, END_HEADERS, 1, headers.toByteArray());
    request.frame(DATA, 0, 1, "user=a".getBytes(StandardCharsets.ISO_8859_1));
    return request;
  }

  /**
   * Reads until the server has ended its side of the stream: its whole response is here. Fails when
   * the server reset the stream or the connection instead.
   */
  void awaitResponseEnd() throws IOException {
    while (true) {
      int length =
          (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      in.readFully(new byte[length]);
      if (type == SETTINGS && (flags & ACK) == 0) {
        frame(SETTINGS, ACK, 0, new byte[0]);
      } else if (type == RST_STREAM || type == GOAWAY) {
        throw new IOException("the server reset the stream or the connection (frame " + type + ")");
      } else if (stream == 1 && (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0) {
        return;
      }
    }
  }

  /** Ends the request's body, and so the stream, then the connection. */
  @Override
  public void close() throws IOException {
    try (socket) {
      frame(DATA, END_STREAM, 1, new byte[0]);
    }
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    int length = payload.length;
    out.write(
        new byte[] {
          (byte) (length >>> 16),
          (byte) (length >>> 8),
          (byte) length,
          (byte) type,
          (byte) flags,
          (byte) (stream >>> 24),
          (byte) (stream >>> 16),
          (byte) (stream >>> 8),
          (byte) stream
        });
    out.write(payload);
    out.flush();
  }

  /** HPACK: a literal header field without indexing, new name, no Huffman coding. */
  private static void literal(ByteArrayOutputStream block, String name, String value) {
    block.write(0);
    for (String text : new String[] {name, value}) {
      byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
      block.write(bytes.length); // every text here is shorter than 127 bytes
      block.writeBytes(bytes);
    }
  }
}
