package com.example.legacywar;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.annotation.WebFilter;
import javax.servlet.http.HttpServletRequest;

/**
 * Handles POST /login itself and never passes it on, as a security filter chain does: the request
 * never reaches a servlet. A plain {@link Filter} (not HttpFilter) so Servlet 3.1 containers load
 * it, in a package of its own: the agent leaves classes under io.fastlimit alone, and this filter,
 * unlike the jakarta sample's (HttpFilter's doFilter carries the advice there), carries the advice
 * itself.
 */
@WebFilter("/login")
public class LoginFilter implements Filter {

  static final AtomicLong CALLS = new AtomicLong();

  @Override
  public void init(FilterConfig config) {}

  @Override
  public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    if (!"POST".equals(((HttpServletRequest) req).getMethod())) {
      chain.doFilter(req, resp);
      return;
    }
    CALLS.incrementAndGet();
    resp.setContentType("application/json");
    resp.getWriter().print("{\"login\":\"failed\"}");
  }

  @Override
  public void destroy() {}
}
