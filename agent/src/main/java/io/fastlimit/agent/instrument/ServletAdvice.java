package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.security.Principal;
import java.util.Enumeration;
import javax.servlet.DispatcherType;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code service(ServletRequest, ServletResponse)} of every servlet. The
 * only code that touches servlet types: it reads plain values from the request, asks the bridge,
 * and writes headers or the rejection. Written once against javax.servlet; the jakarta.servlet
 * copy is this class with the package names swapped ({@link JakartaAdvice}). It can only use
 * servlet, JDK and bootstrap classes, because it runs in the application's class loaders.
 */
public final class ServletAdvice {

  private ServletAdvice() {}

  /** Returns true when the request was rejected, which skips the servlet. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.Argument(0) ServletRequest request, @Advice.Argument(1) ServletResponse response) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null
        || !(request instanceof HttpServletRequest)
        || !(response instanceof HttpServletResponse)) {
      return false;
    }
    try {
      HttpServletRequest httpRequest = (HttpServletRequest) request;
      if (httpRequest.getDispatcherType() != DispatcherType.REQUEST
          || httpRequest.getAttribute(RateLimitBridge.DECIDED_ATTRIBUTE) != null) {
        return false;
      }
      // what the application routes on, decoded and normalized by the container
      String path = httpRequest.getServletPath();
      String contextPath = httpRequest.getContextPath();
      String pathInfo = httpRequest.getPathInfo();
      if (contextPath != null && !contextPath.isEmpty()) {
        path = contextPath + path;
      }
      if (pathInfo != null) {
        path = path + pathInfo;
      }
      String forwardedFor = null;
      String forwardedHeader = bridge.forwardedForHeader();
      if (forwardedHeader != null) {
        Enumeration<String> values = httpRequest.getHeaders(forwardedHeader);
        while (values != null && values.hasMoreElements()) {
          String value = values.nextElement();
          forwardedFor = forwardedFor == null ? value : forwardedFor + "," + value;
        }
      }
      String userId = null;
      String attribute = bridge.userIdAttribute();
      if (attribute != null) {
        Object value = httpRequest.getAttribute(attribute);
        if (value != null) {
          userId = value.toString();
        }
      } else if (bridge.userIdFromPrincipal()) {
        Principal principal = httpRequest.getUserPrincipal();
        if (principal != null) {
          userId = principal.getName();
        }
      }
      Verdict verdict =
          bridge.decide(httpRequest.getMethod(), path, httpRequest.getRemoteAddr(), forwardedFor, userId);
      if (verdict == null) {
        return false;
      }
      httpRequest.setAttribute(RateLimitBridge.DECIDED_ATTRIBUTE, Boolean.TRUE);
      HttpServletResponse httpResponse = (HttpServletResponse) response;
      if (httpResponse.isCommitted()) {
        return false; // never write to a committed response
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        httpResponse.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        return false;
      }
      httpResponse.setStatus(verdict.status());
      httpResponse.setContentType(verdict.contentType());
      try {
        httpResponse.setContentLength(verdict.bodyLength());
        verdict.writeBody(httpResponse.getOutputStream());
      } catch (IllegalStateException writerAlreadyTaken) {
        httpResponse.getWriter().write(verdict.bodyText());
      }
      httpResponse.flushBuffer();
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return false;
    }
  }
}
