package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;

/**
 * Reads a form field of a Jetty 9.4, 10 or 11 request ({@code org.eclipse.jetty.server.Request}:
 * the front door's request, or the one behind any {@code ServletRequestWrapper}) without deciding
 * its character encoding: the raw body is read straight from the request's {@code HttpInput} (which
 * leaves the request's input state untouched, so the application may still take its input stream,
 * its reader or its parameters), searched by {@link RawForm}, and given back through an {@code
 * HttpInput.Interceptor} of the agent's making (a {@link Proxy} in Jetty's class loader) whose
 * first call hands Jetty the bytes read, and every later one the content as it comes (the end of
 * the body included). Whoever reads the body next gets every byte from the start, in the encoding
 * it chooses. Only a body of known length up to {@link RawForm#MAX_BODY}, neither compressed nor
 * awaiting a {@code 100 Continue}, with no interceptor of someone else's, not read in the async
 * mode, that the application has not started to read; otherwise nothing is read. On each of them
 * the end of the body (Jetty's EOF sentinel) is still in the input when the agent stops at the
 * Content-Length, and goes through the interceptor after the replay: 10 and 11's {@code
 * AsyncContentProducer} and 9.4's {@code nextInterceptedContent} hand it over like any content, and
 * 9.4 marks the input finished only when a later read takes it. Reflective: the agent's classes
 * cannot see Jetty's, and this runs only for a rule that reads a form.
 */
final class JettyInputFormBody {

  static final String REQUEST = "org.eclipse.jetty.server.Request";

  private JettyInputFormBody() {}

  /** The Jetty 9.4 to 11 request behind a servlet request (itself or wrapped), or null. */
  static Object requestBehind(Object request) {
    return RequestWrappers.innermost(request, JETTY_REQUEST);
  }

  private static final RequestWrappers.Container JETTY_REQUEST =
      new RequestWrappers.Container() {
        @Override
        public Object found(Object request) {
          return ACCESS.get(request.getClass()) != null ? request : null;
        }

        @Override
        public Object facadeOf(Object request) {
          return null;
        }
      };

  /**
   * The first value of field {@code name} of the request's body, or null when absent or when the
   * body cannot be read without disturbing the application (the caller checked the Content-Type).
   */
  static String field(Object request, String name) {
    Access access = ACCESS.get(request.getClass());
    if (access == null) {
      return null;
    }
    try {
      byte[] body = access.readAndReplay(request);
      return body == null ? null : RawForm.field(body, body.length, name);
    } catch (Exception | LinkageError failure) {
      AgentLog.once("reading a form field of a Jetty request failed", failure);
      return null;
    }
  }

  /** Whether Jetty has parsed the request's form already (then reading it is free). */
  static boolean parsed(Object request) {
    Access access = ACCESS.get(request.getClass());
    try {
      return access != null && access.contentParameters.get(request) != null;
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading the state of a Jetty request failed", failure);
      return false;
    }
  }

  /** The agent's interceptor: the body read first, then Jetty's content as it comes. */
  static final class Replay implements InvocationHandler {
    final byte[] body;
    private final Constructor<?> content;
    private boolean replayed; // only the thread reading the request's input calls readFrom

    Replay(byte[] body, Constructor<?> content) {
      this.body = body;
      this.content = content;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("readFrom")) {
        if (!replayed) {
          replayed = true;
          return content.newInstance(ByteBuffer.wrap(body));
        }
        return args[0];
      }
      if (name.equals("equals")) {
        return proxy == args[0];
      }
      if (name.equals("hashCode")) {
        return System.identityHashCode(proxy);
      }
      return "fastlimit form replay";
    }
  }

  /** The reflective handles of Jetty's request and input, found in its own class loader. */
  private static final class Access {
    final Method getHttpInput;
    final Method getContentLengthLong;
    final Method getHeader;
    final Field inputState;
    final Field contentParameters;
    final Method getInterceptor;
    final Method setInterceptor;
    final Method isAsync;
    final Method read;
    final Class<?> interceptor;
    final Constructor<?> content;

    Access(Class<?> request) throws ReflectiveOperationException {
      ClassLoader loader = request.getClassLoader();
      getHttpInput = request.getMethod("getHttpInput");
      getContentLengthLong = request.getMethod("getContentLengthLong");
      getHeader = request.getMethod("getHeader", String.class);
      inputState = request.getDeclaredField("_inputState");
      inputState.setAccessible(true);
      contentParameters = request.getDeclaredField("_contentParameters");
      contentParameters.setAccessible(true);
      Class<?> input = getHttpInput.getReturnType();
      interceptor = Class.forName("org.eclipse.jetty.server.HttpInput$Interceptor", false, loader);
      getInterceptor = input.getMethod("getInterceptor");
      setInterceptor = input.getMethod("setInterceptor", interceptor);
      isAsync = input.getMethod("isAsync");
      read = input.getMethod("read", byte[].class, int.class, int.class);
      content =
          Class.forName("org.eclipse.jetty.server.HttpInput$Content", false, loader)
              .getConstructor(ByteBuffer.class);
    }

    /** The whole body, read now or before and replayed to Jetty; null when it is not to be read. */
    byte[] readAndReplay(Object request) throws Exception {
      Object input = getHttpInput.invoke(request);
      if (input == null) {
        return null;
      }
      Object current = getInterceptor.invoke(input);
      if (current != null) {
        if (Proxy.isProxyClass(current.getClass())) {
          InvocationHandler handler = Proxy.getInvocationHandler(current);
          if (handler instanceof Replay) {
            return ((Replay) handler).body; // read for this request already
          }
        }
        return null; // someone else transforms the body (a GzipHandler, say)
      }
      if (((Integer) inputState.get(request)) != 0 || (Boolean) isAsync.invoke(input)) {
        return null; // the application has taken the body's stream or reader
      }
      long length = (Long) getContentLengthLong.invoke(request);
      if (length <= 0 || length > RawForm.MAX_BODY) {
        return null; // chunked, empty or too long
      }
      if (getHeader.invoke(request, "Content-Encoding") != null
          || getHeader.invoke(request, "Expect") != null) {
        return null; // compressed (a handler may decode it later), or awaiting 100 Continue
      }
      byte[] body = new byte[(int) length];
      int n = 0;
      try {
        while (n < body.length) {
          int r = (Integer) read.invoke(input, body, n, body.length - n);
          if (r < 0) {
            break;
          }
          n += r;
        }
      } finally {
        // whatever was read goes back first, so the application sees what it would have seen
        if (n > 0) {
          byte[] read = body;
          if (n < body.length) {
            read = new byte[n];
            System.arraycopy(body, 0, read, 0, n);
          }
          Replay replay = new Replay(read, content);
          setInterceptor.invoke(
              input,
              Proxy.newProxyInstance(
                  interceptor.getClassLoader(), new Class<?>[] {interceptor}, replay));
          body = n == body.length ? read : null; // a body cut short is given back, not searched
        }
      }
      return n == 0 ? null : body;
    }
  }

  private static final ClassValue<Access> ACCESS =
      new ClassValue<Access>() {
        @Override
        protected Access computeValue(Class<?> type) {
          if (!type.getName().equals(REQUEST)) {
            return null;
          }
          try {
            return new Access(type);
          } catch (ClassNotFoundException jetty94) {
            return null;
          } catch (ReflectiveOperationException | RuntimeException | LinkageError unexpected) {
            AgentLog.once("a Jetty request body cannot be read: " + type.getName(), unexpected);
            return null;
          }
        }
      };
}
