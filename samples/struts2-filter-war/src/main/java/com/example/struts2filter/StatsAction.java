package com.example.struts2filter;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.struts2.ServletActionContext;

/** /stats: how often the greeting and the login ran, as JSON. */
public class StatsAction {

  public String execute() throws IOException {
    HttpServletResponse response = ServletActionContext.getResponse();
    response.setContentType("application/json");
    response
        .getWriter()
        .write("{\"hello\":" + Counters.HELLO.get() + ",\"login\":" + Counters.LOGIN.get() + "}");
    return "none";
  }
}
