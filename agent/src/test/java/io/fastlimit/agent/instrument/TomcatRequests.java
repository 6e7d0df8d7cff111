package io.fastlimit.agent.instrument;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/** Tomcat's own connector requests for front-door tests, as postParseRequest leaves them. */
final class TomcatRequests {

  private TomcatRequests() {}

  /**
   * Fills {@code request}, mapped to {@code decodedUri} from 203.0.113.5 with an X-Forwarded-For,
   * and pairs it with {@code response}, whose body goes to {@code written}.
   */
  static <R extends Request> R mapped(
      R request,
      Response response,
      String method,
      String decodedUri,
      ByteArrayOutputStream written) {
    org.apache.coyote.Request coyoteRequest = new org.apache.coyote.Request();
    org.apache.coyote.Response coyoteResponse = new org.apache.coyote.Response();
    coyoteRequest.setResponse(coyoteResponse);
    coyoteRequest.setMethod(method);
    coyoteRequest.decodedURI().setString(decodedUri);
    coyoteRequest.getMimeHeaders().addValue("X-Forwarded-For").setString("198.51.100.7");
    coyoteResponse.setOutputBuffer(
        new org.apache.coyote.OutputBuffer() {
          @Override
          public int doWrite(ByteBuffer chunk) {
            int length = chunk.remaining();
            byte[] bytes = new byte[length];
            chunk.get(bytes);
            written.write(bytes, 0, length);
            return length;
          }

          @Override
          public long getBytesWritten() {
            return written.size();
          }
        });
    request.setCoyoteRequest(coyoteRequest);
    request.setRemoteAddr("203.0.113.5");
    response.setCoyoteResponse(coyoteResponse);
    response.setRequest(request);
    request.setResponse(response);
    return request;
  }
}
