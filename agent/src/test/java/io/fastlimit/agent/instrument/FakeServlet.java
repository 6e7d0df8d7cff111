package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletEntry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import javax.servlet.ServletContext;

/** Servlet API objects for advice tests, answered by a handler: only what a test reads is real. */
final class FakeServlet {

  private FakeServlet() {}

  /**
   * Has the advice find its {@link ServletHelper} as in production: made by {@link ServletHelpers}
   * from the agent's class files, beside this class path's servlet API. Installed afresh, over
   * whatever another test installed.
   */
  static void installHelpers() {
    ServletEntry.install(new ServletHelpers());
  }

  /** An object of {@code type} whose every call is answered by {@code answers}. */
  static <T> T of(Class<T> type, InvocationHandler answers) {
    return type.cast(
        Proxy.newProxyInstance(FakeServlet.class.getClassLoader(), new Class<?>[] {type}, answers));
  }

  /** The ServletContext of an application deployed at the root (context path ""). */
  static ServletContext rootContext() {
    return of(
        ServletContext.class,
        (proxy, method, args) -> method.getName().equals("getContextPath") ? "" : null);
  }
}
