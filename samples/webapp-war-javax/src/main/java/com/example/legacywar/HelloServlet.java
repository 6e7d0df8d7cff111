package com.example.legacywar;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

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
