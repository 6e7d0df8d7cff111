package com.example.struts2filter;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.struts2.ServletActionContext;

/**
 * The action behind /api/hello/{name}: writes its greeting itself and returns "none", so Struts
 * renders no result. It runs inside StrutsPrepareAndExecuteFilter. Knows nothing of fastlimit.
 */
public class HelloAction {

  public String execute() throws IOException {
    Counters.HELLO.incrementAndGet();
    HttpServletRequest request = ServletActionContext.getRequest();
    String path = request.getServletPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    HttpServletResponse response = ServletActionContext.getResponse();
    response.setContentType("text/plain;charset=UTF-8");
    response.getWriter().write("hello from struts in a filter " + name);
    return "none";
  }
}
