package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletEntry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import javax.servlet.ServletContext;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;

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

  /**
   * A new {@code type}, a servlet or filter, with the javax servlet advice woven in by the agent's
   * own transformer and loaded anew, under its name, in a class loader of its own; seen as {@code
   * as} (Servlet or Filter), which the copy shares with {@code type}. {@code type} must be public
   * with a public no-argument constructor.
   */
  static <T> T woven(Class<? extends T> type, Class<T> as) throws ReflectiveOperationException {
    AgentBuilder.Transformer advice =
        ServletInstrumentation.javaxAdvice(
            new ResolvedAdvice.Source(ServletInstrumentation.adviceClasses()));
    ClassLoader loader = type.getClassLoader();
    Class<?> woven =
        advice
            .transform(
                new ByteBuddy().redefine(type),
                TypeDescription.ForLoadedType.of(type),
                loader,
                null,
                null)
            .make()
            .load(new ClassLoader(loader) {}, ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
    return as.cast(woven.getConstructor().newInstance());
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
