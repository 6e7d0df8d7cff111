package io.fastlimit.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket. It sends the request target exactly as given (no
 * normalization, unlike java.net.http), which path-trick tests need, and closes after each request.
 */
final class RawHttp {

  private RawHttp() {}

  static HttpResult get(int port, String target, String... headerLines) throws IOException {
    return send(port, "GET", target, null, headerLines);
  }

  static HttpResult post(int port, String target, String body, String... headerLines)
      throws IOException {
    return send(port, "POST", target, body, headerLines);
  }

  static HttpResult send(int port, String method, String target, String body, String... headers)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      StringBuilder request = new StringBuilder();
      request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      request.append("Host: localhost:").append(port).append("\r\n");
      request.append("Connection: close\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      if (body != null) {
        request.append("Content-Type: application/x-www-form-urlencoded\r\n");
        request.append("Content-Length: ").append(content.length).append("\r\n");
      }
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      return read(socket.getInputStream(), method.equals("HEAD"));
    }
  }

  /** Reads one response from a stream that may carry more (pipelining). */
  static HttpResult read(InputStream in, boolean head) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String line;
    while ((line = line(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers
          .computeIfAbsent(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> encoding = headers.get("transfer-encoding");
    List<String> length = headers.get("content-length");
    if (head) {
      // no body
    } else if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
    } else if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length.get(0))));
    } else {
      in.transferTo(body);
    }
    return new HttpResult(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String text = out.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      out.write(b);
    }
    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }
}
