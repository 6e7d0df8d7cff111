package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of the servlet API's two request entry points: {@code
 * Servlet.service(ServletRequest, ServletResponse)} and {@code Filter.doFilter(ServletRequest,
 * ServletResponse, FilterChain)}. The only code that touches servlet types: it reads plain values
 * from the request, has one {@link ActiveRules} of the bridge decide, and writes headers or the
 * rejection. Written once against javax.servlet; the jakarta.servlet copy is this class with the
 * package names swapped ({@link JakartaAdvice}). It can only use servlet, JDK and bootstrap
 * classes, because it runs in the application's class loaders; helper methods of its own would have
 * to be injected into each of them, so what needs no servlet type lives behind the bridge.
 *
 * <p>At a filter it decides only the rules marked {@code before-filters} (once, at the first
 * filter); at the servlet the others, or every rule when no filter ran. It also traces the request
 * through the filters ({@link FilterTrace}, left in {@link FilterExitAdvice}) to report requests
 * the application answers inside a filter, which servlet rules never see.
 */
public final class ServletApiAdvice {

  private ServletApiAdvice() {}

  /** Returns true when the request was rejected, which skips the servlet or filter. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object self,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Local(CompletionExitAdvice.PENDING) Verdict pending) {
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
    boolean rejecting = false; // once the 429 is being written the app must not run, come what may
    try {
      HttpServletRequest httpRequest = (HttpServletRequest) request;
      boolean dispatched = httpRequest.getDispatcherType() == DispatcherType.REQUEST;
      if (!atFilter && dispatched) {
        FilterTrace.current().reachServlet();
      }
      ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
      if (!dispatched
          || (atFilter && !rules.anyBeforeFilters())
          || httpRequest.getAttribute(RateLimitBridge.DECIDED_ATTRIBUTE) != null) {
        return false;
      }
      boolean filtersDone =
          httpRequest.getAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE) != null;
      if (atFilter && filtersDone) {
        return false;
      }
      if (atFilter) {
        httpRequest.setAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE, Boolean.TRUE);
      }
      Stage stage = atFilter ? Stage.FILTERS : filtersDone ? Stage.SERVLET : Stage.SERVLET_ALONE;
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
      Object recorded =
          ReceivedAddress.anyRecorded()
              ? container.getAttribute(ReceivedAddress.PEER_ATTRIBUTE)
              : null;
      String header = rules.forwardedForHeader();
      String forwardedFor = null;
      if (header != null && recorded != null) {
        Object recordedHeader = container.getAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE);
        forwardedFor = ActiveRules.text(recordedHeader);
      } else if (header != null) {
        forwardedFor = ActiveRules.joinLines(container.getHeaders(header));
      }
      String peer = recorded != null ? recorded.toString() : container.getRemoteAddr();
      String userId = null; // before the app's filters there is no user yet: those rules are per IP
      if (!atFilter && rules.userIdAttribute() != null) {
        userId = ActiveRules.text(httpRequest.getAttribute(rules.userIdAttribute()));
      } else if (!atFilter && rules.userIdFromPrincipal()) {
        userId = ActiveRules.nameOf(httpRequest.getUserPrincipal());
      }
      // what the application routes on, decoded and normalized by the container. The context
      // path comes from the ServletContext: request.getContextPath() is the client's spelling
      // (";x=y", "%73", "/./" ...), which Tomcat routes but no rule would match.
      String method = httpRequest.getMethod();
      String contextPath = httpRequest.getServletContext().getContextPath();
      String servletPath = httpRequest.getServletPath();
      String pathInfo = httpRequest.getPathInfo();
      Verdict verdict =
          rules.decide(
              stage,
              method,
              contextPath,
              servletPath,
              pathInfo,
              peer,
              forwardedFor,
              userId,
              httpRequest);
      if (verdict == null) {
        return false;
      }
      if (verdict.awaitsCompletion()) {
        httpRequest.setAttribute(RateLimitBridge.PENDING_ATTRIBUTE, verdict);
        pending = verdict; // settled at this same entry's exit: CompletionExitAdvice
      }
      if (!atFilter) {
        httpRequest.setAttribute(RateLimitBridge.DECIDED_ATTRIBUTE, Boolean.TRUE);
      }
      HttpServletResponse httpResponse = (HttpServletResponse) response;
      if (httpResponse.isCommitted()) {
        // never write to a committed response (a filter wrote and flushed before the chain went
        // on); but a blocked request still must not run what the rule protects
        if (verdict.isBlocked()) {
          rules.blockedOnCommittedResponse(stage, method, contextPath, servletPath, pathInfo);
        }
        return verdict.isBlocked();
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
      try {
        ServletOutputStream body = httpResponse.getOutputStream();
        httpResponse.setContentLength(verdict.bodyLength());
        verdict.writeBody(body);
      } catch (IllegalStateException writerAlreadyTaken) {
        // the body goes through the writer: UTF-8, and no length (the writer encodes)
        httpResponse.setCharacterEncoding("UTF-8");
        httpResponse.getWriter().write(verdict.bodyText());
      }
      httpResponse.flushBuffer();
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return rejecting;
    }
  }
}
