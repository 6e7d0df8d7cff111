package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads a form field of a Tomcat request (9, 10.1, 11) whose character encoding is still open,
 * without deciding it: the raw body is read from Tomcat's connector request ({@code
 * org.apache.catalina.connector.Request}, reached through the facade and any {@code
 * ServletRequestWrapper}), searched by {@link RawForm}, and handed back to Tomcat to replay ({@code
 * ActionCode.REQ_SET_BODY_REPLAY} with a {@code ByteChunk}, as its FormAuthenticator restores a
 * saved POST). The application then parses parameters, or reads the body, exactly as it would have,
 * in the encoding it sets. Only a body of known length up to {@link RawForm#MAX_BODY} that nobody
 * has started to read is touched; otherwise nothing is read.
 */
final class TomcatFormBody {

  private static final String CONNECTOR_REQUEST = "org.apache.catalina.connector.Request";
  private static final String FACADE = "org.apache.catalina.connector.RequestFacade";

  /** The body the agent read, kept in the request's notes (invisible to the application). */
  private static final String NOTE = "io.fastlimit.formBody";

  private TomcatFormBody() {}

  /** Tomcat's connector request under {@code request} (itself, a facade or wrappers), or null. */
  static Object connectorRequest(Object request) {
    return RequestWrappers.innermost(request, CONNECTOR);
  }

  private static final RequestWrappers.Container CONNECTOR =
      new RequestWrappers.Container() {
        @Override
        public Object found(Object request) {
          return ACCESS.get(request.getClass()).isConnectorRequest ? request : null;
        }

        @Override
        public Object facadeOf(Object request) {
          return ACCESS.get(request.getClass()).facaded(request);
        }
      };

  /**
   * The first value of field {@code name} of the connector request's urlencoded body, or null when
   * absent or when the body cannot be read without disturbing the application.
   */
  static String field(Object connectorRequest, String name) {
    Access access = ACCESS.get(connectorRequest.getClass());
    try {
      byte[] body = (byte[]) access.getNote.invoke(connectorRequest, NOTE);
      if (body == null) {
        body = readAndReplay(access, connectorRequest);
      }
      return body == null ? null : RawForm.field(body, body.length, name);
    } catch (ReflectiveOperationException | RuntimeException | IOException | LinkageError failure) {
      AgentLog.once("reading a form field of a Tomcat request failed", failure);
      return null;
    }
  }

  /** Whether Tomcat has parsed the request's parameters already (then reading them is free). */
  static boolean parsed(Object connectorRequest) {
    try {
      return ACCESS.get(connectorRequest.getClass()).parametersParsed.getBoolean(connectorRequest);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading the state of a Tomcat request failed", failure);
      return false;
    }
  }

  private static byte[] readAndReplay(Access access, Object request)
      throws ReflectiveOperationException, IOException {
    if (access.parametersParsed.getBoolean(request)) {
      return null; // parsed already: the caller's getParameter reads it as the application does
    }
    if (access.usingInputStream.getBoolean(request) || access.usingReader.getBoolean(request)) {
      return null; // the application owns the body
    }
    Object coyote = access.getCoyoteRequest.invoke(request);
    Replay replay = REPLAY.get(coyote.getClass());
    if (!replay.available || ((Long) replay.getBytesRead.invoke(coyote)) != 0L) {
      return null;
    }
    int length = ((Integer) access.getContentLength.invoke(request)).intValue();
    if (length <= 0 || length > RawForm.MAX_BODY) {
      return null; // chunked, empty or too long: not read
    }
    byte[] body = new byte[length];
    int read = 0;
    InputStream in = (InputStream) access.getStream.invoke(request);
    try {
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
    } finally {
      // whatever was read goes back, so the application sees what it would have seen
      Object chunk = replay.byteChunk.getConstructor().newInstance();
      replay.setBytes.invoke(chunk, body, 0, read);
      replay.action.invoke(coyote, replay.replayCode, chunk);
    }
    if (read < length) {
      byte[] shorter = new byte[read];
      System.arraycopy(body, 0, shorter, 0, read);
      body = shorter;
    }
    access.setNote.invoke(request, NOTE, body);
    return body;
  }

  /** The reflective handles of one request class: a connector request's, or the way inward. */
  private static final class Access {
    final boolean isConnectorRequest;
    final Method getNote;
    final Method setNote;
    final Method getCoyoteRequest;
    final Method getContentLength;
    final Method getStream;
    final Field parametersParsed;
    final Field usingInputStream;
    final Field usingReader;

    /** A facade's {@code request} field; null for any other class. */
    final Field facadeRequest;

    Access(Class<?> type) throws ReflectiveOperationException {
      Class<?> connector = superclassNamed(type, CONNECTOR_REQUEST);
      isConnectorRequest = connector != null;
      if (isConnectorRequest) {
        getNote = connector.getMethod("getNote", String.class);
        setNote = connector.getMethod("setNote", String.class, Object.class);
        getCoyoteRequest = connector.getMethod("getCoyoteRequest");
        getContentLength = connector.getMethod("getContentLength");
        getStream = connector.getMethod("getStream");
        parametersParsed = open(connector.getDeclaredField("parametersParsed"));
        usingInputStream = open(connector.getDeclaredField("usingInputStream"));
        usingReader = open(connector.getDeclaredField("usingReader"));
      } else {
        getNote = null;
        setNote = null;
        getCoyoteRequest = null;
        getContentLength = null;
        getStream = null;
        parametersParsed = null;
        usingInputStream = null;
        usingReader = null;
      }
      Class<?> facade = superclassNamed(type, FACADE);
      facadeRequest = facade == null ? null : open(facade.getDeclaredField("request"));
    }

    Object facaded(Object request) {
      try {
        return facadeRequest == null ? null : facadeRequest.get(request);
      } catch (ReflectiveOperationException | RuntimeException failure) {
        AgentLog.once("unwrapping a servlet request failed: " + request.getClass(), failure);
        return null;
      }
    }

    private static Field open(Field field) {
      field.setAccessible(true);
      return field;
    }
  }

  private static Class<?> superclassNamed(Class<?> type, String name) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      if (at.getName().equals(name)) {
        return at;
      }
    }
    return null;
  }

  /** Tomcat's coyote request's handles, found in its own class loader. */
  private static final class Replay {
    final boolean available;
    final Method getBytesRead;
    final Method action;
    final Object replayCode;
    final Class<?> byteChunk;
    final Method setBytes;

    Replay(Class<?> coyote) throws ReflectiveOperationException {
      ClassLoader loader = coyote.getClassLoader();
      Class<?> actionCode = Class.forName("org.apache.coyote.ActionCode", false, loader);
      byteChunk = Class.forName("org.apache.tomcat.util.buf.ByteChunk", false, loader);
      getBytesRead = coyote.getMethod("getBytesRead");
      action = coyote.getMethod("action", actionCode, Object.class);
      replayCode = actionCode.getField("REQ_SET_BODY_REPLAY").get(null);
      setBytes = byteChunk.getMethod("setBytes", byte[].class, int.class, int.class);
      available = true;
    }

    /** For a coyote request without the replay: the body is never read. */
    Replay() {
      available = false;
      getBytesRead = null;
      action = null;
      replayCode = null;
      byteChunk = null;
      setBytes = null;
    }
  }

  private static final ClassValue<Access> ACCESS =
      new ClassValue<Access>() {
        @Override
        protected Access computeValue(Class<?> type) {
          try {
            return new Access(type);
          } catch (ReflectiveOperationException | RuntimeException | LinkageError notTomcat) {
            AgentLog.once("a Tomcat request type cannot be read: " + type.getName(), notTomcat);
            return NONE;
          }
        }
      };

  private static final Access NONE = none();

  private static Access none() {
    try {
      return new Access(Object.class);
    } catch (ReflectiveOperationException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static final ClassValue<Replay> REPLAY =
      new ClassValue<Replay>() {
        @Override
        protected Replay computeValue(Class<?> type) {
          try {
            return new Replay(type);
          } catch (ReflectiveOperationException | RuntimeException | LinkageError notTomcat) {
            AgentLog.once("Tomcat's body replay is not found on " + type.getName(), notTomcat);
            return new Replay();
          }
        }
      };
}
