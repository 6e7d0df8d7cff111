package com.example.struts2filter;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.struts2.ServletActionContext;

/**
 * POST /login: a login that always fails, answered by this action inside the Struts filter, as
 * Struts apps answer their logins; any other method gets a 405.
 */
public class LoginAction {

  public String execute() throws IOException {
    HttpServletRequest request = ServletActionContext.getRequest();
    HttpServletResponse response = ServletActionContext.getResponse();
    if (!"POST".equals(request.getMethod())) {
      response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
      return "none";
    }
    Counters.LOGIN.incrementAndGet();
    response.setContentType("application/json");
    response.getWriter().write("{\"login\":\"failed\"}");
    return "none";
  }
}
