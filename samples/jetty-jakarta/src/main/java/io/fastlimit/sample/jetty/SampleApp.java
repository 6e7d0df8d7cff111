package io.fastlimit.sample.jetty;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The tomcat-jakarta sample on embedded Jetty 12 (ee10): the same routes and behaviour, an
 * ordinary application that knows nothing of fastlimit. It counts how often each handler ran
 * ({@code GET /stats}) so that tests can see whether a blocked request reached the application.
 */
public final class SampleApp {

  static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", args.length > 0 ? args[0] : "8080"));
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");

    add(context, "hello", new Hello(), "/api/*", "/hello");
    // protected handlers of the path-trick tests: each counts on its own
    add(context, "secret", new Hello(), "/api/secret");
    add(context, "admin", new Hello(), "/admin/*");
    add(context, "login", new Login(), "/login");
    add(context, "stats", new Stats(), "/stats");
    add(context, "target", new Hello(), "/dispatch/target");
    add(context, "forward", new Forward(), "/dispatch/forward");
    add(context, "include", new Include(), "/dispatch/include");
    add(context, "fail", new Fail(), "/dispatch/fail");
    add(context, "errorPage", new Hello(), "/dispatch/error-page");
    add(context, "async", new Async(), "/dispatch/async").setAsyncSupported(true);
    ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
    errorPages.addErrorPage(500, "/dispatch/error-page");
    context.setErrorHandler(errorPages);

    server.setHandler(context);
    server.start();
    int actual = connector.getLocalPort();
    System.out.println("sample app (Jetty 12, jakarta) listening on http://localhost:" + actual + "/");
    System.out.println("  try: for i in $(seq 7); do curl -s -o /dev/null -w '%{http_code}\\n' http://localhost:" + actual + "/api/hello; done");
    System.out.println("       curl -i http://localhost:" + actual + "/api/hello");
    server.join();
  }

  private static ServletHolder add(
      ServletContextHandler context, String name, HttpServlet servlet, String... patterns) {
    ServletHolder holder = new ServletHolder(name, servlet);
    for (String pattern : patterns) {
      context.addServlet(holder, pattern);
    }
    return holder;
  }

  static void count(HttpServletRequest request, String handler) {
    CALLS.computeIfAbsent(handler, k -> new AtomicLong()).incrementAndGet();
  }

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count(req, getServletName());
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
      count(req, "login");
      resp.setContentType("application/json");
      resp.getWriter().println("{\"login\":\"failed\"}");
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
      count(req, "forward");
      req.getRequestDispatcher("/dispatch/target").forward(req, resp);
    }
  }

  static final class Include extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      count(req, "include");
      req.getRequestDispatcher("/dispatch/target").include(req, resp);
    }
  }

  static final class Fail extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      count(req, "fail");
      resp.sendError(500);
    }
  }

  static final class Async extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      count(req, "async");
      AsyncContext async = req.startAsync();
      async.start(() -> async.dispatch("/dispatch/target"));
    }
  }
}
