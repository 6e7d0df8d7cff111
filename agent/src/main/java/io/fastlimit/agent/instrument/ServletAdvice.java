package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.Verdict;
import java.security.Principal;
import java.util.Enumeration;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code service(ServletRequest, ServletResponse)} of every servlet and
 * of {@code doFilter(ServletRequest, ServletResponse, FilterChain)} of every filter. The only
 * code that touches servlet types: it reads plain values from the request, asks the bridge, and
 * writes headers or the rejection. Written once against javax.servlet; the jakarta.servlet copy
 * is this class with the package names swapped ({@link JakartaAdvice}). It can only use servlet,
 * JDK and bootstrap classes, because it runs in the application's class loaders.
 *
 * <p>At a filter it decides only the rules marked {@code before-filters} (once, at the first
 * filter); at the servlet the others, or every rule when no filter ran. It also traces the
 * request through the filters ({@link FilterTrace}, left in {@link FilterExitAdvice}) to report
 * requests the application answers inside a filter, which servlet rules never see.
 */
public final class ServletAdvice {

  private ServletAdvice() {}

  /** Returns true when the request was rejected, which skips the servlet or filter. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object self,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Origin("#m") String entryMethod) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    boolean atFilter = entryMethod.equals("doFilter");
    if (atFilter) {
      FilterTrace.current().enterFilter(self.getClass()); // left in FilterExitAdvice
    }
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      return false;
    }
    // once the 429 is being written the application must not run, even if writing fails
    boolean rejecting = false;
    try {
      HttpServletRequest httpRequest = (HttpServletRequest) request;
      if (!atFilter && httpRequest.getDispatcherType() == DispatcherType.REQUEST) {
        FilterTrace.current().reachServlet();
      }
      if (atFilter && !bridge.hasRulesBeforeFilters()) {
        return false;
      }
      if (httpRequest.getDispatcherType() != DispatcherType.REQUEST
          || httpRequest.getAttribute(RateLimitBridge.DECIDED_ATTRIBUTE) != null) {
        return false;
      }
      int stage;
      if (atFilter) {
        if (httpRequest.getAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE) != null) {
          return false;
        }
        httpRequest.setAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE, Boolean.TRUE);
        stage = RateLimitBridge.STAGE_BEFORE_FILTERS;
      } else if (httpRequest.getAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE)
          != null) {
        stage = RateLimitBridge.STAGE_SERVLET;
      } else {
        stage = RateLimitBridge.STAGE_SERVLET_ALL_RULES;
      }
      // what the application routes on, decoded and normalized by the container. The context
      // path comes from the ServletContext: request.getContextPath() is the client's spelling
      // (";x=y", "%73", "/./" ...), which Tomcat routes but no rule would match.
      String path = httpRequest.getServletPath();
      String contextPath = httpRequest.getServletContext().getContextPath();
      String pathInfo = httpRequest.getPathInfo();
      if (contextPath != null && !contextPath.isEmpty()) {
        path = contextPath + path;
      }
      if (pathInfo != null) {
        path = path + pathInfo;
      }
      // the peer and X-Forwarded-For as the container received them, never as a framework or
      // the container rewrote them, so the agent's own trusted-proxies is applied once: from
      // underneath request wrappers (Spring's ForwardedHeaderFilter, Tomcat's RemoteIpFilter),
      // and as recorded before an in-place rewrite (ReceivedAddressAdvice)
      ServletRequest received = request;
      while (received instanceof ServletRequestWrapper) {
        received = ((ServletRequestWrapper) received).getRequest();
      }
      HttpServletRequest container =
          received instanceof HttpServletRequest ? (HttpServletRequest) received : httpRequest;
      String forwardedHeader = bridge.forwardedForHeader();
      String peer = null;
      String forwardedFor = null;
      if (ReceivedAddress.anyRecorded()) {
        Object recordedPeer = container.getAttribute(ReceivedAddress.PEER_ATTRIBUTE);
        if (recordedPeer != null) {
          peer = recordedPeer.toString();
          Object recordedHeader = container.getAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE);
          if (forwardedHeader != null && recordedHeader != null) {
            forwardedFor = recordedHeader.toString();
          }
        }
      }
      if (peer == null) {
        peer = container.getRemoteAddr();
        if (forwardedHeader != null) {
          Enumeration<String> values = container.getHeaders(forwardedHeader);
          while (values != null && values.hasMoreElements()) {
            String value = values.nextElement();
            forwardedFor = forwardedFor == null ? value : forwardedFor + "," + value;
          }
        }
      }
      String userId = null;
      String attribute = bridge.userIdAttribute();
      if (atFilter) {
        // before the app's filters there is no user yet: those rules are per IP
      } else if (attribute != null) {
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
          bridge.decide(
              stage,
              httpRequest.getMethod(),
              path,
              peer,
              forwardedFor,
              userId);
      if (verdict == null) {
        return false;
      }
      if (!atFilter) {
        httpRequest.setAttribute(RateLimitBridge.DECIDED_ATTRIBUTE, Boolean.TRUE);
      }
      HttpServletResponse httpResponse = (HttpServletResponse) response;
      if (httpResponse.isCommitted()) {
        // never write to a committed response (a filter wrote and flushed before the chain went
        // on); but a blocked request still must not run what the rule protects
        if (verdict.isBlocked()) {
          rejecting = true;
          bridge.blockedOnCommittedResponse(stage, httpRequest.getMethod(), path);
          return true;
        }
        return false;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        httpResponse.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        return false;
      }
      rejecting = true;
      httpResponse.resetBuffer(); // nothing a filter buffered goes before the rejection
      httpResponse.setStatus(verdict.status());
      httpResponse.setContentType(verdict.contentType());
      ServletOutputStream body = null;
      try {
        body = httpResponse.getOutputStream();
      } catch (IllegalStateException writerAlreadyTaken) {
        // the body goes through the writer: UTF-8, and no length (the writer encodes)
        httpResponse.setCharacterEncoding("UTF-8");
        httpResponse.getWriter().write(verdict.bodyText());
      }
      if (body != null) {
        httpResponse.setContentLength(verdict.bodyLength());
        verdict.writeBody(body);
      }
      httpResponse.flushBuffer();
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return rejecting;
    }
  }
}
