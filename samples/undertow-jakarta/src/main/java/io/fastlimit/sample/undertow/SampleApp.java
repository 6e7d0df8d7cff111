package io.fastlimit.sample.undertow;

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
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ErrorPage;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import java.net.InetSocketAddress;

/**
 * The tomcat-jakarta sample on embedded Undertow (servlet): the same routes and behaviour, an
 * ordinary application that knows nothing of fastlimit. It counts how often each handler ran
 * ({@code GET /stats}) so that tests can see whether a blocked request reached the application.
 */
public final class SampleApp {

  static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", args.length > 0 ? args[0] : "8080"));
    DeploymentInfo deployment =
        Servlets.deployment()
            .setClassLoader(SampleApp.class.getClassLoader())
            .setContextPath("/")
            .setDeploymentName("sample");

    add(deployment, "hello", new Hello(), "/api/*", "/hello");
    // protected handlers of the path-trick tests: each counts on its own
    add(deployment, "secret", new Hello(), "/api/secret");
    add(deployment, "admin", new Hello(), "/admin/*");
    add(deployment, "login", new Login(), "/login");
    add(deployment, "stats", new Stats(), "/stats");
    add(deployment, "target", new Hello(), "/dispatch/target");
    add(deployment, "forward", new Forward(), "/dispatch/forward");
    add(deployment, "include", new Include(), "/dispatch/include");
    add(deployment, "fail", new Fail(), "/dispatch/fail");
    add(deployment, "errorPage", new Hello(), "/dispatch/error-page");
    add(deployment, "async", new Async(), "/dispatch/async").setAsyncSupported(true);
    deployment.addErrorPage(new ErrorPage("/dispatch/error-page", 500));

    DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
    manager.deploy();
    Undertow server =
        Undertow.builder().addHttpListener(port, "0.0.0.0").setHandler(manager.start()).build();
    server.start();
    int actual = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    System.out.println("sample app (Undertow, jakarta) listening on http://localhost:" + actual + "/");
    System.out.println("  try: for i in $(seq 7); do curl -s -o /dev/null -w '%{http_code}\\n' http://localhost:" + actual + "/api/hello; done");
    System.out.println("       curl -i http://localhost:" + actual + "/api/hello");
  }

  private static ServletInfo add(
      DeploymentInfo deployment, String name, HttpServlet servlet, String... patterns) {
    ServletInfo info =
        Servlets.servlet(name, servlet.getClass(), new ImmediateInstanceFactory<>(servlet))
            .addMappings(patterns);
    deployment.addServlet(info);
    return info;
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
