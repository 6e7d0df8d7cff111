package io.fastlimit.sample.war;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/** Answers under /api/* and counts its calls, shown at /stats. Knows nothing of fastlimit. */
@WebServlet(urlPatterns = {"/api/*", "/stats"})
public class HelloServlet extends HttpServlet {

  private static final AtomicLong CALLS = new AtomicLong();

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain");
    if ("/stats".equals(req.getServletPath())) {
      resp.getWriter()
          .print("{\"hello\":" + CALLS.get() + ",\"login\":" + LoginFilter.CALLS.get() + "}");
      return;
    }
    CALLS.incrementAndGet();
    resp.getWriter().println("hello from the WAR at " + req.getContextPath());
  }
}
