package io.fastlimit.sample.javax;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.AsyncContext;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;

/**
 * An ordinary embedded Tomcat 9 application that knows nothing of fastlimit. It counts how often
 * each handler ran ({@code GET /stats}) so that tests can see whether a blocked request reached the
 * application.
 */
public final class SampleApp {

  static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    int port =
        Integer.parseInt(System.getenv().getOrDefault("PORT", args.length > 0 ? args[0] : "8080"));
    File base = Files.createTempDirectory("sample-tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setPort(port);
    tomcat.getConnector();
    Context context = tomcat.addContext("", base.getAbsolutePath());

    add(context, "hello", new Hello(), "/api/*", "/hello");
    // protected handlers of the path-trick tests: each counts on its own
    add(context, "secret", new Hello(), "/api/secret");
    add(context, "admin", new Hello(), "/admin/*");
    add(context, "reports", new Hello(), "/reports/*");
    add(context, "login", new Login(), "/login");
    add(context, "stats", new Stats(), "/stats");
    add(context, "target", new Hello(), "/dispatch/target");
    add(context, "forward", new Forward(), "/dispatch/forward");
    add(context, "include", new Include(), "/dispatch/include");
    add(context, "fail", new Fail(), "/dispatch/fail");
    add(context, "errorPage", new Hello(), "/dispatch/error-page");
    add(context, "async", new Async(), "/dispatch/async").setAsyncSupported(true);
    ErrorPage errorPage = new ErrorPage();
    errorPage.setErrorCode(500);
    errorPage.setLocation("/dispatch/error-page");
    context.addErrorPage(errorPage);

    tomcat.start();
    int actual = tomcat.getConnector().getLocalPort();
    System.out.println(
        "sample app (Tomcat 9, javax) listening on http://localhost:" + actual + "/");
    System.out.println(
        "  try: for i in $(seq 7); do curl -s -o /dev/null -w '%{http_code}\\n' http://localhost:"
            + actual
            + "/api/hello; done");
    System.out.println("       curl -i http://localhost:" + actual + "/api/hello");
    tomcat.getServer().await();
  }

  private static Wrapper add(
      Context context, String name, HttpServlet servlet, String... patterns) {
    Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
    for (String pattern : patterns) {
      context.addServletMappingDecoded(pattern, name);
    }
    return wrapper;
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
      for (Map.Entry<String, AtomicLong> entry : new java.util.TreeMap<>(CALLS).entrySet()) {
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
