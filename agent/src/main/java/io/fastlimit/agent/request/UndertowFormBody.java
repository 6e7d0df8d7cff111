package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.FormBodies;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads a form field of an Undertow 2 exchange ({@code io.undertow.server.HttpServerExchange}: the
 * front door's request, or the one behind Undertow's servlet request and any {@code
 * ServletRequestWrapper}) without deciding its character encoding: the raw body is read from the
 * exchange's request channel, searched by {@link RawForm}, and handed back to Undertow ({@code
 * Connectors.ungetRequestBytes}, then {@code Connectors.resetRequestChannel}, as Undertow's own
 * {@code SavedRequest} restores a POST after a FORM login). Whoever reads the body next (the
 * application's input stream, Undertow's form parser, its FORM authenticator) gets every byte from
 * the start, in the encoding it chooses. Only a body of known length up to {@link
 * RawForm#MAX_BODY}, neither compressed nor awaiting a {@code 100 Continue}, whose channel nobody
 * has taken, read on a thread that may block (never Undertow's I/O thread); otherwise nothing is
 * read. Reflective: the agent's classes cannot see Undertow's, and this runs only for a rule that
 * reads a form.
 */
public final class UndertowFormBody {

  static final String EXCHANGE = "io.undertow.server.HttpServerExchange";
  private static final String SERVLET_REQUEST = "io.undertow.servlet.spec.HttpServletRequestImpl";

  private UndertowFormBody() {}

  /**
   * Whether a body of this Content-Type and Content-Length is one the agent may read for an
   * account: {@code application/x-www-form-urlencoded}, of known length up to {@link
   * RawForm#MAX_BODY}.
   */
  public static boolean readable(String contentType, long contentLength) {
    return contentLength > 0
        && contentLength <= RawForm.MAX_BODY
        && contentType != null
        && FormBodies.isUrlEncodedForm(contentType);
  }

  static boolean isExchange(Class<?> type) {
    return type.getName().equals(EXCHANGE);
  }

  /** The exchange behind an Undertow servlet request (itself or wrapped), or null. */
  static Object exchangeBehind(Object request) {
    return RequestWrappers.innermost(request, SERVLET_REQUEST_IMPL);
  }

  private static final RequestWrappers.Container SERVLET_REQUEST_IMPL =
      new RequestWrappers.Container() {
        @Override
        public Object found(Object request) {
          Method getExchange = GET_EXCHANGE.get(request.getClass());
          if (getExchange == null) {
            return null;
          }
          try {
            return getExchange.invoke(request);
          } catch (ReflectiveOperationException | RuntimeException failure) {
            AgentLog.once("unwrapping a servlet request failed: " + request.getClass(), failure);
            return null;
          }
        }

        @Override
        public Object facadeOf(Object request) {
          return null;
        }
      };

  /**
   * The first value of field {@code name} of the exchange's body, or null when absent or when the
   * body cannot be read without disturbing the application (the caller checked the Content-Type).
   */
  static String field(Object exchange, String name) {
    Access access = ACCESS.get(exchange.getClass());
    if (access == null) {
      return null;
    }
    try {
      ByteBuffer body = access.readAndUnget(exchange);
      return body == null ? null : RawForm.field(body.array(), body.limit(), name);
    } catch (Exception | LinkageError failure) {
      AgentLog.once("reading a form field of an Undertow request failed", failure);
      return null;
    }
  }

  /** Whether Undertow has parsed the exchange's form already (then reading it is free). */
  static boolean parsed(Object exchange) {
    Access access = ACCESS.get(exchange.getClass());
    try {
      return access != null && access.getAttachment.invoke(exchange, access.formData) != null;
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading the state of an Undertow request failed", failure);
      return false;
    }
  }

  /** The reflective handles of Undertow's exchange, found in its own class loader. */
  private static final class Access {
    final Method isInIoThread;
    final Method getRequestContentLength;
    final Method getMaxEntitySize;
    final Method isRequestChannelAvailable;
    final Method getRequestChannel;
    final Method awaitReadable;
    final Method getRequestHeaders;
    final Method getFirst;
    final Method getAttachment;
    final Object formData;
    final Method unget;
    final Method reset;
    final Class<?> pooledBuffer;
    final Constructor<?> immediateBuffer;

    Access(Class<?> exchange) throws ReflectiveOperationException {
      ClassLoader loader = exchange.getClassLoader();
      isInIoThread = exchange.getMethod("isInIoThread");
      getRequestContentLength = exchange.getMethod("getRequestContentLength");
      getMaxEntitySize = exchange.getMethod("getMaxEntitySize");
      isRequestChannelAvailable = exchange.getMethod("isRequestChannelAvailable");
      getRequestChannel = exchange.getMethod("getRequestChannel");
      // on the public interface: the channel's own class is private to the exchange
      awaitReadable = getRequestChannel.getReturnType().getMethod("awaitReadable");
      getRequestHeaders = exchange.getMethod("getRequestHeaders");
      getFirst = getRequestHeaders.getReturnType().getMethod("getFirst", String.class);
      Class<?> key = Class.forName("io.undertow.util.AttachmentKey", false, loader);
      getAttachment = exchange.getMethod("getAttachment", key);
      Field formDataKey =
          Class.forName("io.undertow.server.handlers.form.FormDataParser", false, loader)
              .getField("FORM_DATA");
      formData = formDataKey.get(null);
      pooledBuffer = Class.forName("io.undertow.connector.PooledByteBuffer", false, loader);
      Class<?> connectors = Class.forName("io.undertow.server.Connectors", false, loader);
      Class<?> pooledArray = Array.newInstance(pooledBuffer, 0).getClass();
      unget = connectors.getMethod("ungetRequestBytes", exchange, pooledArray);
      reset = connectors.getMethod("resetRequestChannel", exchange);
      immediateBuffer =
          Class.forName("io.undertow.util.ImmediatePooledByteBuffer", false, loader)
              .getConstructor(ByteBuffer.class);
    }

    /**
     * The whole body, read and handed back to Undertow (the buffer's array holds it, its limit is
     * its length); null when it is not to be read.
     */
    ByteBuffer readAndUnget(Object exchange) throws Exception {
      if ((Boolean) isInIoThread.invoke(exchange)) {
        return null; // blocking is forbidden here and the body may not have arrived
      }
      long length = (Long) getRequestContentLength.invoke(exchange);
      long max = (Long) getMaxEntitySize.invoke(exchange);
      if (length <= 0 || length > RawForm.MAX_BODY || (max > 0 && length > max)) {
        return null; // chunked, empty, too long, or above what Undertow accepts
      }
      Object headers = getRequestHeaders.invoke(exchange);
      if (getFirst.invoke(headers, "Content-Encoding") != null
          || getFirst.invoke(headers, "Expect") != null) {
        return null; // compressed (a handler may decode it later), or awaiting 100 Continue
      }
      if (!(Boolean) isRequestChannelAvailable.invoke(exchange)) {
        return null; // someone has taken the body already
      }
      ReadableByteChannel channel = (ReadableByteChannel) getRequestChannel.invoke(exchange);
      if (channel == null) {
        return null;
      }
      ByteBuffer body = ByteBuffer.allocate((int) length);
      try {
        while (body.hasRemaining()) {
          int n = channel.read(body);
          if (n < 0) {
            break;
          }
          if (n == 0) {
            awaitReadable.invoke(channel);
          }
        }
      } finally {
        // whatever was read goes back first, so the application sees what it would have seen
        body.flip();
        if (body.hasRemaining()) {
          Object pooled = immediateBuffer.newInstance(body.duplicate());
          Object buffers = Array.newInstance(pooledBuffer, 1);
          Array.set(buffers, 0, pooled);
          unget.invoke(null, exchange, buffers);
        }
        reset.invoke(null, exchange); // getRequestChannel() hands the channel out once more
      }
      return body;
    }
  }

  private static final ClassValue<Access> ACCESS =
      new ClassValue<Access>() {
        @Override
        protected Access computeValue(Class<?> type) {
          if (!isExchange(type)) {
            return null;
          }
          try {
            return new Access(type);
          } catch (ReflectiveOperationException | RuntimeException | LinkageError notUndertow2) {
            AgentLog.once(
                "an Undertow request body cannot be read: " + type.getName(), notUndertow2);
            return null;
          }
        }
      };

  /** {@code getExchange} of Undertow's servlet request, or null for any other class. */
  private static final ClassValue<Method> GET_EXCHANGE =
      new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
          Class<?> undertow = superclassNamed(type, SERVLET_REQUEST);
          if (undertow == null) {
            return null;
          }
          try {
            return undertow.getMethod("getExchange");
          } catch (NoSuchMethodException | RuntimeException | LinkageError unexpected) {
            AgentLog.once(
                "a servlet request type cannot be unwrapped: " + type.getName(), unexpected);
            return null;
          }
        }
      };

  private static Class<?> superclassNamed(Class<?> type, String name) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      if (at.getName().equals(name)) {
        return at;
      }
    }
    return null;
  }
}
