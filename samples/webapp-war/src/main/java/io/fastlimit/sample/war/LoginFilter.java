package io.fastlimit.sample.war;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Handles POST /login itself and never passes it on, as a security filter chain does (Spring
 * Security's form login): the request never reaches a servlet.
 */
@WebFilter("/login")
public class LoginFilter extends HttpFilter {

  static final AtomicLong CALLS = new AtomicLong();

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    if (!"POST".equals(req.getMethod())) {
      chain.doFilter(req, resp);
      return;
    }
    CALLS.incrementAndGet();
    resp.setContentType("application/json");
    resp.getWriter().print("{\"login\":\"failed\"}");
  }
}
