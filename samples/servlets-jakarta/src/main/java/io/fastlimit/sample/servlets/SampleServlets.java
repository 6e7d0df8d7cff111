package io.fastlimit.sample.servlets;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of the jakarta samples, the same on every container: ordinary servlets that know
 * nothing of fastlimit. Each handler counts its calls ({@code GET /stats}) so that tests can see
 * whether a blocked request reached the application. A container's main wires {@link #routes()} and
 * the {@link #ERROR_PAGE} for status 500, then calls {@link #announce}.
 */
public final class SampleServlets {

  /** Where a 500 is forwarded, so that error dispatches can be tested. */
  public static final String ERROR_PAGE = "/dispatch/error-page";

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  /** One servlet: its name, the instance, whether it is asynchronous, its URL patterns. */
  public record Route(String name, HttpServlet servlet, boolean async, String... patterns) {}

  /** One filter on REQUEST dispatches: its name, the instance, its URL patterns. */
  public record FilterRoute(String name, HttpFilter filter, String... patterns) {}

  private SampleServlets() {}

  public static List<Route> routes() {
    return List.of(
        new Route("hello", new Hello(), false, "/api/*", "/hello"),
        // protected handlers of the path-trick tests: each counts on its own
        new Route("secret", new Hello(), false, "/api/secret"),
        new Route("admin", new Hello(), false, "/admin/*"),
        new Route("reports", new Hello(), false, "/reports/*"),
        new Route("login", new Login(), false, "/login"),
        new Route("accountLogin", new AccountLogin(), false, "/account/login"),
        new Route("stats", new Stats(), false, "/stats"),
        new Route("target", new Hello(), false, "/dispatch/target"),
        new Route("forward", new Forward(), false, "/dispatch/forward"),
        new Route("include", new Include(), false, "/dispatch/include"),
        new Route("fail", new Fail(), false, "/dispatch/fail"),
        new Route("errorPage", new Hello(), false, ERROR_PAGE),
        new Route("async", new Async(), true, "/dispatch/async"),
        new Route("asyncLogin", new AsyncLogin(), true, "/async/login"),
        // behind the streaming filter: counts its calls like every handler
        new Route("stream", new Hello(), false, "/stream/*"));
  }

  /** The filters a container's main wires in front of the servlets, in this order. */
  public static List<FilterRoute> filters() {
    return List.of(new FilterRoute("streaming", new StreamingFilter(), "/stream/*"));
  }

  /** Prints the line tests wait for, and how to see a 429 with curl. */
  public static void announce(String container, int port) {
    System.out.println(
        "sample app (" + container + ") listening on http://localhost:" + port + "/");
    System.out.println(
        "  try: for i in $(seq 7); do curl -s -o /dev/null -w '%{http_code}\\n' http://localhost:"
            + port
            + "/api/hello; done");
    System.out.println("       curl -i http://localhost:" + port + "/api/hello");
  }

  /** The port from $PORT, else the first argument, else 8080 (0 = any free port). */
  public static int port(String[] args) {
    return Integer.parseInt(
        System.getenv().getOrDefault("PORT", args.length > 0 ? args[0] : "8080"));
  }

  static void count(String handler) {
    CALLS.computeIfAbsent(handler, k -> new AtomicLong()).incrementAndGet();
  }

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count(getServletName());
      resp.setContentType("text/plain");
      resp.getWriter().println("hello from " + getServletName() + " " + req.getRequestURI());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      doGet(req, resp);
    }
  }

  static final class Login extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count("login");
      resp.setContentType("application/json");
      resp.getWriter().println("{\"login\":\"failed\"}");
    }
  }

  /**
   * An application's own login servlet: sets the form's encoding as such apps do, then 401 for a
   * wrong password ("secret" is right for everyone) and 200 with the user's name as it read it.
   */
  static final class AccountLogin extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count("accountLogin");
      req.setCharacterEncoding("UTF-8");
      String user = req.getParameter("j_username");
      boolean ok = "secret".equals(req.getParameter("j_password"));
      resp.setStatus(ok ? 200 : 401);
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().print(ok ? "welcome " + user : "wrong password for " + user);
    }
  }

  /**
   * Writes and flushes the start of the answer before passing the request on, as streaming and
   * flush-early filters do: the response is committed before any servlet runs.
   */
  static final class StreamingFilter extends HttpFilter {
    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
        throws IOException, ServletException {
      resp.setContentType("text/plain");
      resp.getWriter().println("streaming");
      resp.flushBuffer();
      chain.doFilter(req, resp);
    }
  }

  static final class Stats extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("application/json");
      StringBuilder out = new StringBuilder("{");
      for (Map.Entry<String, AtomicLong> entry : new TreeMap<>(CALLS).entrySet()) {
        if (out.length() > 1) {
          out.append(',');
        }
        out.append('"').append(entry.getKey()).append("\":").append(entry.getValue().get());
      }
      resp.getWriter().print(out.append('}'));
    }
  }

  static final class Forward extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      count("forward");
      req.getRequestDispatcher("/dispatch/target").forward(req, resp);
    }
  }

  static final class Include extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      count("include");
      req.getRequestDispatcher("/dispatch/target").include(req, resp);
    }
  }

  static final class Fail extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count("fail");
      resp.sendError(500);
    }
  }

  static final class Async extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      count("async");
      AsyncContext async = req.startAsync();
      async.start(() -> async.dispatch("/dispatch/target"));
    }
  }

  /**
   * A login answered from another thread through its AsyncContext: 200 for the password right-one,
   * else 401, written and completed after the container thread has returned.
   */
  static final class AsyncLogin extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      count("asyncLogin");
      boolean ok = "right-one".equals(req.getParameter("password"));
      AsyncContext async = req.startAsync();
      async.start(
          () -> {
            try {
              resp.setStatus(ok ? 200 : 401);
              resp.setContentType("text/plain");
              resp.getWriter().print(ok ? "welcome" : "wrong password");
            } catch (IOException failed) {
              resp.setStatus(500);
            } finally {
              async.complete();
            }
          });
    }
  }
}
