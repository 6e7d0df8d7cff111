package io.fastlimit.agent.instrument.launch;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.GenericServlet;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/**
 * Servlets and filters for the weave tests, woven and defined in a class loader of the test's own:
 * public, since that loader's classes are of another runtime package than this one. What they do is
 * recorded in {@link #CALLS}, shared with the test through the parent loader.
 */
public final class LaunchSamples {

  public static final List<String> CALLS = new CopyOnWriteArrayList<>();

  private LaunchSamples() {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.PARAMETER})
  public @interface Marked {}

  public static class PlainServlet extends GenericServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public void service(ServletRequest request, ServletResponse response) {
      CALLS.add("PlainServlet.service");
    }
  }

  /** Calls the woven {@code service} of its super class. */
  public static class SubServlet extends PlainServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public void service(ServletRequest request, ServletResponse response) {
      CALLS.add("SubServlet.service");
      super.service(request, response);
    }
  }

  public static class ThrowingServlet extends GenericServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public void service(ServletRequest request, ServletResponse response) throws IOException {
      CALLS.add("ThrowingServlet.service");
      throw new IOException("the application failed");
    }
  }

  public static class HeldServlet extends GenericServlet {
    private static final long serialVersionUID = 1L;

    @Override
    public final synchronized void service(ServletRequest request, ServletResponse response) {
      CALLS.add("holds its monitor: " + Thread.holdsLock(this));
    }
  }

  public static class MarkedFilter implements Filter {
    @Override
    @Marked
    public void doFilter(
        @Marked ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      CALLS.add("MarkedFilter.doFilter");
      chain.doFilter(request, response);
    }
  }

  /** The shape of a servlet's entry method, but no servlet. */
  public static class NoServlet {
    public void service(ServletRequest request, ServletResponse response) {
      CALLS.add("NoServlet.service");
    }
  }
}
